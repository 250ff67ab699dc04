package io.miaobu.plugin.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.miaobu.api.source.CheckoutRequest;
import io.miaobu.api.source.Commit;
import io.miaobu.api.source.SourceRepository;
import io.miaobu.api.testkit.RecordingTaskLog;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Fetches over git:// from a real git-daemon, the closest this machine has to a remote git server. */
class GitDaemonTest {

    private final GitSourceProvider provider = new GitSourceProvider();
    private final RecordingTaskLog log = new RecordingTaskLog();
    private Process daemon;
    private int port;

    @TempDir
    Path temp;

    @BeforeEach
    void startDaemon() throws Exception {
        assumeThat(Path.of("/usr/bin/git")).as("git is installed").exists();
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Files.createDirectories(temp.resolve("served"));
        daemon = new ProcessBuilder(List.of("git", "daemon", "--export-all", "--reuseaddr", "--listen=127.0.0.1",
                "--port=" + port, "--base-path=" + temp.resolve("served")))
                .redirectErrorStream(true)
                .redirectOutput(temp.resolve("daemon.log").toFile())
                .start();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!accepts(port)) {
            assertThat(System.nanoTime()).as("git daemon listening").isLessThan(deadline);
            assertThat(daemon.isAlive()).as("git daemon running").isTrue();
            Thread.onSpinWait();
        }
    }

    @AfterEach
    void stopDaemon() throws Exception {
        if (daemon != null) {
            daemon.descendants().forEach(ProcessHandle::destroyForcibly);
            daemon.destroyForcibly().waitFor();
        }
    }

    @Test
    void checksOutTheTipAndAnOldCommitOverTheGitProtocol() throws Exception {
        RevCommit first;
        RevCommit last;
        try (TestRepository origin = TestRepository.create(temp.resolve("served/site"))) {
            first = origin.commit("index.html", "first", "First");
            last = first;
            for (int i = 0; i < GitSourceProvider.DEEPEN_BY + 5; i++) {
                last = origin.commit("index.html", "version " + i, "Version " + i);
            }
        }
        String url = "git://127.0.0.1:" + port + "/site";

        Commit tip = provider.checkout(request(url, null, "tip"), log);
        Commit old = provider.checkout(request(url, first.name(), "old"), log);

        assertThat(tip.sha()).isEqualTo(last.name());
        assertThat(temp.resolve("tip/index.html")).hasContent("version " + (GitSourceProvider.DEEPEN_BY + 4));
        assertThat(old.sha()).isEqualTo(first.name());
        assertThat(temp.resolve("old/index.html")).hasContent("first");
        assertThat(provider.resolveBranch(SourceRepository.of(url, "main"))).isEqualTo(last.name());
    }

    private CheckoutRequest request(String url, String sha, String workspace) {
        return new CheckoutRequest(SourceRepository.of(url, "main"), sha, temp.resolve(workspace));
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
