package com.example.miaobu.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.miaobu.api.MiaobuExtension;
import io.miaobu.api.config.ConfigProblem;
import io.miaobu.api.config.ConfigValues;
import io.miaobu.api.notify.EventKind;
import io.miaobu.api.notify.NotDeliverableException;
import io.miaobu.api.notify.NotificationEvent;
import io.miaobu.api.notify.ProjectRef;
import io.miaobu.api.testkit.ExtensionContract;
import io.miaobu.api.testkit.TestEvents;
import io.miaobu.api.testkit.TestHostInfo;
import io.miaobu.api.testkit.TestSettings;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The extension contract, and what the notifier writes, on the testkit's {@link TestHostInfo}. */
class LogNotifierTest extends ExtensionContract {

    @TempDir
    Path home;

    @Override
    protected MiaobuExtension extension() {
        return notifier();
    }

    @Test
    void appendsOneJsonLinePerEventToTheDataDirectory() throws Exception {
        LogNotifier notifier = notifier();
        ConfigValues channel = channel("deploys.log", "json");

        var receipt = notifier.deliver(TestEvents.of(EventKind.DEPLOYMENT_FAILED), TestEvents.context(channel));
        notifier.deliver(TestEvents.of(EventKind.PLUGIN_FAILED), TestEvents.context(channel));

        assertThat(receipt.detail()).isEqualTo("appended to deploys.log");
        assertThat(Files.readAllLines(home.resolve("plugin-data/notify-log/deploys.log"))).containsExactly(
                "{\"at\":\"2026-01-02T03:04:05Z\",\"event\":\"deployment.failed\",\"summary\":\"My site: deployment"
                        + " #42 failed\",\"delivery\":\"test-delivery-1\",\"project\":\"my-site\",\"deployment\":42,"
                        + "\"page\":\"http://localhost:8080/deployments/42\"}",
                "{\"at\":\"2026-01-02T03:04:05Z\",\"event\":\"plugin.failed\",\"summary\":\"Plugin notify-example"
                        + " failed\",\"delivery\":\"test-delivery-1\"}");
    }

    @Test
    void writesTextForPeopleWhenAsked() throws Exception {
        notifier().deliver(TestEvents.of(EventKind.DEPLOYMENT_SUCCEEDED),
                TestEvents.context(channel("notifications.log", "text")));

        assertThat(home.resolve("plugin-data/notify-log/notifications.log")).hasContent(
                "2026-01-02T03:04:05Z deployment.succeeded My site: deployment #42 is live"
                        + " http://localhost:8080/deployments/42");
    }

    @Test
    void keepsEachEventOnOneLineWhateverItsText() throws Exception {
        var awkward = new ProjectRef(7, "my-site", "My \"site\"\nsecond line\\", URI.create("http://localhost/p/7"));
        NotificationEvent event = new NotificationEvent.PreviewRemoved(TestEvents.AT, awkward, "pr-12");

        notifier().deliver(event, TestEvents.context(channel("a.log", "json")));
        notifier().deliver(event, TestEvents.context(channel("b.log", "text")));

        assertThat(Files.readAllLines(home.resolve("plugin-data/notify-log/a.log"))).singleElement().asString()
                .contains("\"summary\":\"My \\\"site\\\"\\nsecond line\\\\: preview pr-12 removed\"");
        assertThat(Files.readAllLines(home.resolve("plugin-data/notify-log/b.log"))).singleElement().asString()
                .contains("My \"site\" second line\\: preview pr-12 removed");
    }

    @Test
    void writesEveryKindOfEvent() throws Exception {
        LogNotifier notifier = notifier();
        for (NotificationEvent event : TestEvents.everyKind()) {
            notifier.deliver(event, TestEvents.context(channel("all.log", "json")));
        }

        assertThat(Files.readAllLines(home.resolve("plugin-data/notify-log/all.log")))
                .hasSize(TestEvents.everyKind().size());
    }

    @Test
    void neverMixesLinesDeliveredAtTheSameTime() throws Exception {
        LogNotifier notifier = notifier();
        ConfigValues channel = channel("busy.log", "json");
        int threads = 4;
        int perThread = 100;
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> writers = new ArrayList<>();
        List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread writer = new Thread(() -> {
                try {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        notifier.deliver(TestEvents.of(EventKind.DEPLOYMENT_QUEUED), TestEvents.context(channel));
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            });
            writer.start();
            writers.add(writer);
        }
        start.countDown();
        for (Thread writer : writers) {
            writer.join();
        }

        assertThat(failures).isEmpty();
        assertThat(Files.readAllLines(home.resolve("plugin-data/notify-log/busy.log")))
                .hasSize(threads * perThread)
                .allSatisfy(line -> assertThat(line).startsWith("{\"at\":").endsWith("}"));
    }

    @Test
    void refusesFileNamesOutsideItsDataDirectory() {
        LogNotifier notifier = notifier();

        assertThat(notifier.validateChannel(ConfigValues.of(java.util.Map.of("file", "../server.log"))))
                .extracting(ConfigProblem::field).containsExactly("file");
        assertThat(notifier.validateChannel(ConfigValues.of(java.util.Map.of("file", ".hidden")))).hasSize(1);
        assertThat(notifier.validateChannel(channel("deploys.log", "json"))).isEmpty();
        assertThatThrownBy(() -> notifier.deliver(TestEvents.of(EventKind.TEST),
                TestEvents.context(ConfigValues.of(java.util.Map.of("file", "/etc/passwd")))))
                .isInstanceOf(NotDeliverableException.class)
                .hasMessageStartingWith("The log channel's file is not usable: Use a plain file name");
    }

    private LogNotifier notifier() {
        return new LogNotifier(new TestHostInfo(home, "notify-log", "0.1.0", URI.create("http://localhost:8080/"),
                "localhost", 8080));
    }

    private ConfigValues channel(String file, String format) {
        return TestSettings.forSchema(notifier().channelSettings()).set("file", file).set("format", format).build();
    }
}
