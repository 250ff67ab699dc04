package io.miaobu.server.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.miaobu.api.ExtensionException;
import io.miaobu.api.MiaobuExtension;
import io.miaobu.api.cdn.PurgeTask;
import io.miaobu.api.cert.CertificateBundle;
import io.miaobu.api.config.ConfigValues;
import io.miaobu.api.host.TaskLog;
import io.miaobu.server.outbound.GuardedOutboundHttp;
import io.miaobu.server.outbound.OutboundAddressPolicy;
import io.miaobu.server.plugin.ExtensionRegistry;
import io.miaobu.server.plugin.PluginHost;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CDN of the deploy target's id refreshes what changed after a go-live, and its task is followed in the log. */
class CdnRefreshTest {

    @TempDir
    Path temp;

    private PluginHost plugins;

    /** The deployment's log, as text. */
    static final class RecordingTaskLog implements TaskLog {
        private final StringBuilder text = new StringBuilder();

        @Override
        public synchronized void info(String message) {
            text.append("INFO ").append(message).append('\n');
        }

        @Override
        public synchronized void warn(String message) {
            text.append("WARN ").append(message).append('\n');
        }

        @Override
        public synchronized void error(String message) {
            text.append("ERROR ").append(message).append('\n');
        }

        @Override
        public synchronized void output(String chunk) {
            text.append(chunk);
        }

        synchronized String text() {
            return text.toString();
        }
    }

    /** A CDN whose refresh tasks complete after {@code pollsToComplete} status questions (never, when negative). */
    static final class RecordingCdn extends UnusedCdnProvider {

        final List<String> refreshed = new ArrayList<>();
        final String id;
        final int pollsToComplete;
        final boolean refuses;
        int polls;

        RecordingCdn(String id, int pollsToComplete, boolean refuses) {
            this.id = id;
            this.pollsToComplete = pollsToComplete;
            this.refuses = refuses;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public String displayName() {
            return "Recording CDN";
        }

        @Override
        public Optional<PurgeTask> refreshPaths(ConfigValues global, String hostLabel, Collection<String> paths) {
            if (refuses) {
                throw new ExtensionException("The CDN refused: Forbidden.RAM");
            }
            paths.stream().sorted().forEach(path -> refreshed.add(hostLabel + path));
            return Optional.of(new PurgeTask("task-1", PurgeTask.Status.RUNNING));
        }

        @Override
        public PurgeTask purgeStatus(ConfigValues global, String taskId) {
            polls++;
            return new PurgeTask(taskId, pollsToComplete >= 0 && polls >= pollsToComplete
                    ? PurgeTask.Status.COMPLETE : PurgeTask.Status.RUNNING);
        }

        @Override
        public void unbindDomain(ConfigValues global, String domain) {
        }

        @Override
        public void installCertificate(ConfigValues global, String domain, CertificateBundle certificate) {
        }
    }

    private CdnRefresh refreshWith(MiaobuExtension... builtIns) throws Exception {
        plugins = new PluginHost(Files.createDirectories(temp.resolve("plugins")), temp.resolve("plugin-data"),
                new PluginHost.HostFacts("0.1.0", URI.create("http://localhost:8080/"), "localhost", 8080,
                        temp.resolve("sites")), new GuardedOutboundHttp(OutboundAddressPolicy.publicOnly()),
                Clock.systemUTC());
        plugins.start();
        var extensions = new ExtensionRegistry(plugins, List.of(builtIns));
        return new CdnRefresh(extensions, cdn -> ConfigValues.of(Map.of("domain", "cdn.example")),
                Duration.ofSeconds(5), Duration.ofMillis(10));
    }

    @AfterEach
    void stop() {
        if (plugins != null) {
            plugins.stop();
        }
    }

    @Test
    void theCdnOfTheTargetsIdRefreshesTheChangedPathsAndTheTaskIsFollowedToTheEnd() throws Exception {
        var cdn = new RecordingCdn("aliyun", 3, false);
        var log = new RecordingTaskLog();

        Optional<PurgeTask> task = refreshWith(cdn).afterGoLive("aliyun", "shop",
                Set.of("/index.html", "/assets/app.2b1f.js"), log, true);

        assertThat(cdn.refreshed).containsExactly("shop/assets/app.2b1f.js", "shop/index.html");
        assertThat(task).contains(new PurgeTask("task-1", PurgeTask.Status.COMPLETE));
        assertThat(cdn.polls).isEqualTo(3);
        assertThat(log.text()).contains("CDN refresh of 2 changed paths: task task-1 RUNNING",
                "CDN refresh task task-1 completed.");
    }

    @Test
    void nothingIsRefreshedWithoutACdnOfThatIdOrWithoutChanges() throws Exception {
        var cdn = new RecordingCdn("aliyun", 1, false);
        CdnRefresh refresh = refreshWith(cdn);

        assertThat(refresh.afterGoLive("local-storage", "shop", Set.of("/index.html"), new RecordingTaskLog(), true))
                .isEmpty();
        assertThat(refresh.afterGoLive("aliyun", "shop", Set.of(), new RecordingTaskLog(), true)).isEmpty();
        assertThat(cdn.refreshed).isEmpty();
    }

    @Test
    void aRefusingCdnIsReportedAndDoesNotThrow() throws Exception {
        var log = new RecordingTaskLog();

        Optional<PurgeTask> task = refreshWith(new RecordingCdn("aliyun", 1, true)).afterGoLive("aliyun",
                "shop", Set.of("/index.html"), log, true);

        assertThat(task).isEmpty();
        assertThat(log.text()).contains("The CDN refresh of 1 changed paths failed: The CDN refused: Forbidden.RAM");
    }

    @Test
    void aRollbackStartsTheRefreshWithoutWaitingAndASlowTaskIsLeftToTheCdn() throws Exception {
        var cdn = new RecordingCdn("aliyun", -1, false);
        CdnRefresh refresh = refreshWith(cdn);

        assertThat(refresh.afterGoLive("aliyun", "shop", Set.of("/"), new RecordingTaskLog(), false))
                .contains(new PurgeTask("task-1", PurgeTask.Status.RUNNING));
        assertThat(cdn.polls).isZero();

        var log = new RecordingTaskLog();
        var slow = new CdnRefresh(new ExtensionRegistry(plugins, List.of(cdn)), c -> ConfigValues.EMPTY,
                Duration.ofMillis(200), Duration.ofMillis(20));
        assertThat(slow.afterGoLive("aliyun", "shop", Set.of("/"), log, true).orElseThrow().status())
                .isEqualTo(PurgeTask.Status.RUNNING);
        assertThat(log.text()).contains("is still running after").contains("the CDN finishes it on its own.");
    }
}
