package io.miaobu.plugin.github;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import io.miaobu.api.ExtensionException;
import io.miaobu.api.Secret;
import io.miaobu.api.config.ConfigValues;
import io.miaobu.api.source.CheckoutRequest;
import io.miaobu.api.source.Commit;
import io.miaobu.api.source.SourceRepository;
import io.miaobu.api.testkit.RecordingTaskLog;
import io.miaobu.plugin.github.standin.GitHubStandIn;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Checkouts through the stand-in's git smart HTTP endpoint, which runs git http-backend and requires the token. */
class GitHubCheckoutTest {

    @TempDir
    Path temp;

    private GitHubStandIn github;
    private final GitHubSourceProvider provider = new GitHubSourceProvider(Duration.ofMillis(10));
    private final RecordingTaskLog log = new RecordingTaskLog();
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private Level rootLevel;
    private String token;
    private RevCommit first;
    private RevCommit second;

    @BeforeEach
    void start() throws Exception {
        rootLevel = root.getLevel();
        root.setLevel(Level.ALL);
        logged.start();
        root.addAppender(logged);
        github = GitHubStandIn.start(temp.resolve("github"));
        token = github.addUser("octo", 1, "octo@example.com");
        try (LocalRepository local = LocalRepository.create(temp.resolve("work"))) {
            first = local.commit("index.html", "<h1>one</h1>", "First page");
            second = local.commit("index.html", "<h1>two</h1>", "Second page\n\nWith a body.");
            github.createRepository("octo", "site", true).pushFrom(local.directory());
        }
    }

    @AfterEach
    void stop() {
        github.close();
        root.detachAppender(logged);
        root.setLevel(rootLevel);
    }

    @Test
    void checksOutAnOlderCommitExactlyAndShallowly() throws Exception {
        Path workspace = temp.resolve("ws");

        Commit commit = provider.checkout(new CheckoutRequest(site(Secret.of(token)), first.name(), workspace), log);

        assertThat(commit.sha()).isEqualTo(first.name());
        assertThat(commit.author()).isEqualTo("Mona Lisa");
        assertThat(commit.authorEmail()).isEqualTo("mona@example.com");
        assertThat(commit.message()).isEqualTo("First page");
        assertThat(Files.readString(workspace.resolve("index.html"))).isEqualTo("<h1>one</h1>");
        try (Git git = Git.open(workspace.toFile())) {
            assertThat(git.getRepository().resolve("HEAD").name()).isEqualTo(first.name());
            assertThat(git.getRepository().getFullBranch()).isEqualTo(first.name());
            assertThat(git.getRepository().getObjectDatabase().getShallowCommits()).extracting(c -> c.name())
                    .containsExactly(first.name());
            assertThat(git.getRepository().getConfig().toText()).doesNotContain(token).doesNotContain("127.0.0.1");
        }
        String basic = "Basic " + Base64.getEncoder().encodeToString(("x-access-token:" + token)
                .getBytes(StandardCharsets.UTF_8));
        // JGit asks without credentials first and sends them after the 401, like git does
        assertThat(github.requests()).filteredOn(r -> r.path().contains(".git/"))
                .anySatisfy(r -> assertThat(r.path()).endsWith("/git-upload-pack"))
                .allSatisfy(r -> assertThat(r.header("Authorization").orElse(basic)).isEqualTo(basic))
                .allSatisfy(r -> assertThat(r.toString()).doesNotContain(token));
        assertThat(log.text()).contains("Checked out " + first.name());
    }

    @Test
    void checksOutTheBranchTipWhenNoCommitIsGiven() throws Exception {
        Commit commit = provider.checkout(new CheckoutRequest(site(Secret.of(token)), null, temp.resolve("ws")), log);

        assertThat(commit.sha()).isEqualTo(second.name());
        assertThat(commit.title()).isEqualTo("Second page");
    }

    @Test
    void refusesACloneWithAWrongTokenWithoutShowingIt() {
        String wrong = "gho_" + "W".repeat(36);

        Throwable thrown = catchThrowable(() -> provider.checkout(new CheckoutRequest(site(Secret.of(wrong)),
                first.name(), temp.resolve("ws")), log));

        assertThat(thrown).isInstanceOf(ExtensionException.class).hasMessage("GitHub refused the token for"
                + " octo/site (revoked or lacking access); sign in with GitHub again.");
        assertThat(github.requests()).anySatisfy(r -> assertThat(r.path()).endsWith("/info/refs"));
        assertNowhere(wrong, thrown);
    }

    @Test
    void refusesACloneWithARevokedTokenWithoutShowingIt() {
        github.revokeToken(token);

        Throwable thrown = catchThrowable(() -> provider.checkout(new CheckoutRequest(site(Secret.of(token)), null,
                temp.resolve("ws")), log));

        assertThat(thrown).hasMessageContaining("GitHub refused the token for octo/site");
        assertNowhere(token, thrown);
    }

    @Test
    void saysARepositoryTheTokenCannotSeeIsGone() {
        String stranger = github.addUser("stranger", 9, "s@example.com");

        Throwable thrown = catchThrowable(() -> provider.checkout(new CheckoutRequest(site(Secret.of(stranger)),
                first.name(), temp.resolve("ws")), log));

        assertThat(thrown).hasMessage("Repository octo/site is gone, or the token cannot see it.");
        assertNowhere(stranger, thrown);
    }

    @Test
    void sendsTheTokenToNoHostButTheConfiguredGitHub() throws Exception {
        var requests = new java.util.concurrent.atomic.AtomicInteger();
        var elsewhere = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        elsewhere.createContext("/", exchange -> {
            requests.incrementAndGet();
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
        });
        elsewhere.start();
        try {
            String url = "http://127.0.0.1:" + elsewhere.getAddress().getPort() + "/octo/site.git";
            var repository = new SourceRepository(url, "main", github.settings(), ConfigValues.EMPTY,
                    Secret.of(token));

            Throwable thrown = catchThrowable(() -> provider.checkout(new CheckoutRequest(repository, first.name(),
                    temp.resolve("ws")), log));

            assertThat(thrown).isInstanceOf(ExtensionException.class).hasMessageContaining("is not on 127.0.0.1")
                    .hasMessageContaining("the GitHub token is not sent there");
            assertThat(requests).hasValue(0);
        } finally {
            elsewhere.stop(0);
        }
    }

    @Test
    void stopsWhenCancelledBeforeItStarts() {
        Thread.currentThread().interrupt();

        Throwable thrown = catchThrowable(() -> provider.checkout(new CheckoutRequest(site(Secret.of(token)),
                first.name(), temp.resolve("ws")), log));

        assertThat(thrown).isInstanceOf(InterruptedException.class);
        assertThat(github.requests()).isEmpty();
    }

    private void assertNowhere(String secret, Throwable thrown) {
        StringWriter trace = new StringWriter();
        thrown.printStackTrace(new PrintWriter(trace));
        assertThat(trace.toString()).doesNotContain(secret);
        assertThat(log.text()).doesNotContain(secret);
        assertThat(logged.list).isNotEmpty();
        for (ILoggingEvent event : logged.list) {
            String throwable = event.getThrowableProxy() == null ? ""
                    : ThrowableProxyUtil.asString(event.getThrowableProxy());
            assertThat(event.getFormattedMessage() + throwable).doesNotContain(secret)
                    .doesNotContain(Base64.getEncoder().encodeToString(("x-access-token:" + secret)
                            .getBytes(StandardCharsets.UTF_8)));
        }
    }

    private SourceRepository site(Secret credential) {
        return new SourceRepository(github.repository("octo/site").cloneUrl(), "main", github.settings(),
                ConfigValues.EMPTY, credential);
    }
}
