package io.miaobu.plugin.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.miaobu.api.ExtensionException;
import io.miaobu.api.host.TaskLog;
import io.miaobu.api.source.CheckoutRequest;
import io.miaobu.api.source.Commit;
import io.miaobu.api.source.SourceRepository;
import io.miaobu.api.testkit.RecordingTaskLog;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GitSourceProviderTest {

    private final GitSourceProvider provider = new GitSourceProvider();
    private final RecordingTaskLog log = new RecordingTaskLog();

    @TempDir
    Path temp;

    private TestRepository origin;
    private RevCommit first;
    private RevCommit second;
    private RevCommit tip;

    @BeforeEach
    void createOrigin() throws Exception {
        origin = TestRepository.create(temp.resolve("origin"));
        first = origin.commit("index.html", "<h1>one</h1>", "First page");
        second = origin.commit("index.html", "<h1>two</h1>", "Second page");
        tip = origin.commit("index.html", "<h1>three</h1>", "Third page\n\nWith a body.\n");
    }

    @AfterEach
    void closeOrigin() throws Exception {
        origin.close();
    }

    @Test
    void checksOutTheTipOfTheBranchShallowly() throws Exception {
        Path workspace = temp.resolve("ws");

        Commit commit = provider.checkout(request(fileUrl(), null, workspace), log);

        assertThat(commit.sha()).isEqualTo(tip.name());
        assertThat(commit.author()).isEqualTo("Ada Lovelace");
        assertThat(commit.authorEmail()).isEqualTo("ada@example.test");
        assertThat(commit.message()).isEqualTo("Third page\n\nWith a body.\n");
        assertThat(commit.committedAt()).isEqualTo(TestRepository.AUTHOR.getWhenAsInstant());
        assertThat(Files.readString(workspace.resolve("index.html"))).isEqualTo("<h1>three</h1>");
        assertThat(Files.exists(workspace.resolve(".git/shallow"))).isTrue();
        assertThat(commitsIn(workspace)).isEqualTo(1);
        assertThat(log.text())
                .contains("Cloning " + fileUrl() + " (branch main)")
                .contains("Checked out " + tip.name() + " Third page");
    }

    @Test
    void checksOutAnOlderCommitExactly() throws Exception {
        Path workspace = temp.resolve("ws");

        Commit commit = provider.checkout(request(fileUrl(), second.name(), workspace), log);

        assertThat(commit.sha()).isEqualTo(second.name());
        assertThat(commit.message()).isEqualTo("Second page");
        assertThat(Files.readString(workspace.resolve("index.html"))).isEqualTo("<h1>two</h1>");
        assertThat(headOf(workspace)).isEqualTo(second.name());
    }

    @Test
    void fetchesTheWholeHistoryWhenTheCommitIsOlderThanTheFirstDeepening() throws Exception {
        for (int i = 0; i < GitSourceProvider.DEEPEN_BY + 5; i++) {
            origin.commit("log.txt", "entry " + i, "Entry " + i);
        }
        Path workspace = temp.resolve("ws");

        Commit commit = provider.checkout(request(fileUrl(), first.name(), workspace), log);

        assertThat(commit.sha()).isEqualTo(first.name());
        assertThat(Files.readString(workspace.resolve("index.html"))).isEqualTo("<h1>one</h1>");
        assertThat(Files.exists(workspace.resolve("log.txt"))).isFalse();
        assertThat(log.text()).contains("Fetching the whole history of main");
    }

    @Test
    void refusesACommitThatIsNotOnTheBranch() throws Exception {
        origin.branch("other");
        RevCommit elsewhere = origin.commit("other.txt", "x", "Only on other");
        origin.switchTo("main");

        assertThatThrownBy(() -> provider.checkout(request(fileUrl(), elsewhere.name(), temp.resolve("ws")), log))
                .isInstanceOf(ExtensionException.class)
                .hasMessage("Commit " + elsewhere.name() + " is not on branch main of " + fileUrl() + ".");
    }

    @Test
    void refusesACommitThatDoesNotExist() {
        String missing = "0123456789abcdef0123456789abcdef01234567";

        assertThatThrownBy(() -> provider.checkout(request(fileUrl(), missing, temp.resolve("ws")), log))
                .isInstanceOf(ExtensionException.class)
                .hasMessageContaining("Commit " + missing + " is not on branch main");
    }

    @Test
    void refusesAnAbbreviatedCommitId() {
        assertThatThrownBy(() -> provider.checkout(request(fileUrl(), "abc1234", temp.resolve("ws")), log))
                .isInstanceOf(ExtensionException.class)
                .hasMessage("'abc1234' is not a full commit id.");
    }

    @Test
    void reportsAMissingBranch() {
        SourceRepository repository = SourceRepository.of(fileUrl(), "nope");

        assertThatThrownBy(() -> provider.resolveBranch(repository))
                .isInstanceOf(ExtensionException.class)
                .hasMessage("Branch nope was not found in " + fileUrl() + ".");
        assertThatThrownBy(() -> provider.checkout(new CheckoutRequest(repository, null, temp.resolve("ws")), log))
                .isInstanceOf(ExtensionException.class)
                .hasMessage("Branch nope was not found in " + fileUrl() + ".");
    }

    @Test
    void reportsAMissingRepository() {
        String missing = temp.resolve("no-such-repo").toString();

        assertThatThrownBy(() -> provider.resolveBranch(SourceRepository.of(missing, "main")))
                .isInstanceOf(ExtensionException.class)
                .hasMessage("Repository " + missing + " was not found.");
        assertThatThrownBy(() -> provider.checkout(request("file://" + missing, null, temp.resolve("ws")), log))
                .isInstanceOf(ExtensionException.class)
                .hasMessage("Repository file://" + missing + " was not found.");
    }

    @ParameterizedTest
    @ValueSource(strings = {"file-url", "plain-path"})
    void resolvesAndChecksOutFileUrlsAndPlainPaths(String form) throws Exception {
        origin.branch("feature/docs");
        RevCommit docs = origin.commit("docs.md", "# Docs", "Add docs");
        String url = form.equals("file-url") ? fileUrl() : origin.dir().toString();
        SourceRepository repository = SourceRepository.of(url, "feature/docs");

        assertThat(provider.resolveBranch(repository)).isEqualTo(docs.name());
        Commit commit = provider.checkout(new CheckoutRequest(repository, null, temp.resolve("ws")), log);
        assertThat(commit.sha()).isEqualTo(docs.name());
        assertThat(temp.resolve("ws/docs.md")).hasContent("# Docs");
    }

    @Test
    void resolvesTheTipOfTheBranch() {
        assertThat(provider.resolveBranch(SourceRepository.of(fileUrl(), "main"))).isEqualTo(tip.name());
    }

    @Test
    void stopsWithInterruptedExceptionWhenTheBuildIsCancelled() {
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> provider.checkout(request(fileUrl(), null, temp.resolve("ws")), log))
                    .isInstanceOf(InterruptedException.class);
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void stopsWithInterruptedExceptionWhenCancelledDuringTheFetch() {
        TaskLog cancelOnProgress = new TaskLog() {
            @Override
            public void info(String message) {
                log.info(message);
            }

            @Override
            public void warn(String message) {
                log.warn(message);
            }

            @Override
            public void error(String message) {
                log.error(message);
            }

            @Override
            public void output(String chunk) {
                log.output(chunk);
                Thread.currentThread().interrupt();
            }
        };
        try {
            assertThatThrownBy(() -> provider.checkout(request(fileUrl(), null, temp.resolve("ws")), cancelOnProgress))
                    .isInstanceOf(InterruptedException.class);
        } finally {
            Thread.interrupted();
        }
        assertThat(log.lines(RecordingTaskLog.Level.OUTPUT)).isNotEmpty();
        assertThat(log.text()).doesNotContain("Checked out");
    }

    @Test
    void refusesAWorkspaceThatIsNotEmpty() throws Exception {
        Path workspace = Files.createDirectories(temp.resolve("ws"));
        Files.writeString(workspace.resolve("leftover"), "x");

        assertThatThrownBy(() -> provider.checkout(request(fileUrl(), null, workspace), log))
                .isInstanceOf(ExtensionException.class)
                .hasMessageContaining("is not empty");
    }

    private String fileUrl() {
        return origin.dir().toUri().toString().replaceFirst("^file:/+", "file:///").replaceFirst("/$", "");
    }

    private static CheckoutRequest request(String url, String sha, Path workspace) {
        return new CheckoutRequest(SourceRepository.of(url, "main"), sha, workspace);
    }

    private static int commitsIn(Path workspace) throws Exception {
        try (Git git = Git.open(workspace.toFile())) {
            int count = 0;
            for (RevCommit ignored : git.log().call()) {
                count++;
            }
            return count;
        }
    }

    private static String headOf(Path workspace) throws Exception {
        try (Git git = Git.open(workspace.toFile())) {
            return git.getRepository().resolve("HEAD").name();
        }
    }
}
