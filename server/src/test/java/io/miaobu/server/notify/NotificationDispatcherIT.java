package io.miaobu.server.notify;

import static org.assertj.core.api.Assertions.assertThat;

import io.miaobu.api.MiaobuExtension;
import io.miaobu.api.notify.DeliveryReceipt;
import io.miaobu.api.notify.NotificationContext;
import io.miaobu.api.notify.NotificationEvent;
import io.miaobu.api.notify.Notifier;
import io.miaobu.server.audit.Actor;
import io.miaobu.server.audit.AuditLog;
import io.miaobu.server.boot.NotificationConfig;
import io.miaobu.server.build.DeploymentDao;
import io.miaobu.server.build.DeploymentStatus;
import io.miaobu.server.outbound.GuardedOutboundHttp;
import io.miaobu.server.outbound.OutboundAddressPolicy;
import io.miaobu.server.persistence.Database;
import io.miaobu.server.persistence.TestDatabases;
import io.miaobu.server.plugin.ExtensionRegistry;
import io.miaobu.server.plugin.ExtensionSettings;
import io.miaobu.server.plugin.PluginHost;
import io.miaobu.server.project.Project;
import io.miaobu.server.project.ProjectDao;
import io.miaobu.server.secrets.SecretBox;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The dispatcher on H2 and PostgreSQL with notifiers that record, throw and hang: events come from committed status
 * changes only, broken and fixed follow the results, and a notifier that throws or hangs neither holds up the others
 * nor loses anything.
 */
class NotificationDispatcherIT {

    @TempDir
    Path temp;

    private final Clock clock = Clock.systemUTC();
    private final Recording recording = new Recording();
    private final Throwing throwing = new Throwing();
    private final Hanging hanging = new Hanging();
    private Database database;
    private String schema;
    private PluginHost plugins;
    private NotificationDispatcher dispatcher;
    private NotificationOutbox outbox;

    static Stream<String> databases() {
        return Stream.of("h2", "postgresql");
    }

    @AfterEach
    void stop() throws Exception {
        hanging.release.countDown();
        if (dispatcher != null) {
            dispatcher.stop();
        }
        if (plugins != null) {
            plugins.stop();
        }
        if (database != null) {
            database.stop();
        }
        if (schema != null) {
            TestDatabases.dropSchema(schema);
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void throwingAndHangingNotifiersHoldUpNobodyAndBrokenAndFixedFollowTheResults(String kind) throws Exception {
        if (kind.equals("h2")) {
            database = TestDatabases.h2(temp.resolve("db"));
        } else {
            schema = TestDatabases.newSchemaName();
            database = TestDatabases.postgres(schema);
        }
        database.start();
        Jdbi jdbi = database.jdbi();
        plugins = new PluginHost(Files.createDirectories(temp.resolve("plugins")), temp.resolve("plugin-data"),
                new PluginHost.HostFacts("0.1.0", URI.create("http://miaobu.test/"), "localhost", 8080,
                        temp.resolve("sites")), new GuardedOutboundHttp(OutboundAddressPolicy.publicOnly()), clock);
        plugins.start();
        var extensions = new ExtensionRegistry(plugins, List.<MiaobuExtension>of(recording, throwing, hanging));
        var audit = new AuditLog(jdbi, clock);
        var settings = new ExtensionSettings(jdbi, extensions, new SecretBox(temp.resolve("secretbox")), audit, clock);
        var channels = new NotificationChannels(jdbi, extensions, settings, audit, clock);
        outbox = new NotificationOutbox(jdbi, extensions, URI.create("http://miaobu.test/"), clock);
        dispatcher = new NotificationDispatcher(jdbi, outbox, extensions, settings,
                new NotificationConfig(2, Duration.ofSeconds(1), Duration.ofSeconds(2), 4, Duration.ofDays(30)), "node-a", clock);

        var projects = jdbi.onDemand(ProjectDao.class);
        long project = projects.insert(new Project(0, "shop", "Shop", "https://example.com/shop.git", "main", "", "",
                "", "", false, "git", "node", "local-storage", null, null, clock.instant(), clock.instant()));
        var events = List.of("deployment.succeeded", "deployment.failed", "deployment.broken", "deployment.fixed");
        for (String notifier : List.of("hanging", "throwing", "recording")) {
            channels.create(Channel.Scope.PROJECT, project, null, new NotificationChannels.ChannelRequest(notifier,
                    notifier, events, null, true, Map.of(), Set.of()), Actor.system());
        }

        // a change rolled back never becomes an event
        var deployments = jdbi.onDemand(DeploymentDao.class);
        try {
            jdbi.useTransaction(handle -> {
                DeploymentDao dao = handle.attach(DeploymentDao.class);
                long ghost = dao.insertQueued(project, "manual", "main", null, "local-storage", null, clock.instant());
                dao.recordStatusChange(ghost, DeploymentStatus.FAILED, clock.instant());
                throw new IllegalStateException("roll back");
            });
        } catch (IllegalStateException expected) {
            // rolled back
        }
        dispatcher.start();
        // ok, fail, fail, ok
        for (DeploymentStatus result : List.of(DeploymentStatus.LIVE, DeploymentStatus.FAILED, DeploymentStatus.FAILED,
                DeploymentStatus.LIVE)) {
            long id = deployments.insertQueued(project, "manual", "main", null, "local-storage", null,
                    clock.instant());
            deployments.claim(id, clock.instant());
            jdbi.useTransaction(handle -> {
                DeploymentDao dao = handle.attach(DeploymentDao.class);
                dao.finish(id, result, result == DeploymentStatus.FAILED ? "exit code 1" : null, clock.instant());
                dao.recordStatusChange(id, result, clock.instant());
            });
        }
        dispatcher.wake();

        await(() -> recording.kinds.size() >= 6, Duration.ofSeconds(20), () -> "recorded " + recording.kinds);
        assertThat(recording.kinds).containsExactly("deployment.succeeded", "deployment.failed",
                "deployment.broken", "deployment.failed", "deployment.succeeded", "deployment.fixed");
        assertThat(recording.contexts.get(0).deliveryId()).startsWith("mbd-");
        // the hanging notifier still hangs on its first event; the throwing one failed and was retried
        assertThat(hanging.calls.get()).isGreaterThanOrEqualTo(1);
        await(() -> deadLetters(jdbi, "throwing") == 6, Duration.ofSeconds(30),
                () -> "dead letters of the throwing notifier: " + deadLetters(jdbi, "throwing"));
        assertThat(throwing.calls.get()).isEqualTo(12); // two tries for each of six events
        String detail = jdbi.withHandle(handle -> handle.createQuery(
                "SELECT detail FROM notification_deliveries WHERE notifier = 'throwing' ORDER BY id LIMIT 1")
                .mapTo(String.class).one());
        assertThat(detail).isEqualTo("The Throwing notifier failed: boom");
        // the hanging notifier's tries are abandoned after the time limit and counted as failed, with no status code
        await(() -> abandoned(jdbi) >= 1, Duration.ofSeconds(20), () -> "no abandoned try yet");
        long abandonedDelivery = jdbi.withHandle(handle -> handle.createQuery(
                "SELECT delivery_id FROM notification_attempts WHERE detail LIKE 'No answer within 2 s%' LIMIT 1")
                .mapTo(Long.class).one());
        assertThat(new NotificationDeliveries(jdbi, audit, clock, () -> { }).tries(abandonedDelivery).get(0)
                .statusCode()).isNull();

        // a delivery whose notifier is no longer installed is tried like any other and ends a dead letter
        long event = jdbi.inTransaction(handle -> outbox.store(handle,
                new NotificationEvent.PluginFailed(clock.instant(), "gone", "x")));
        jdbi.useHandle(handle -> handle.createUpdate("""
                        INSERT INTO notification_deliveries (event_id, notifier, recipient, status, attempts,
                                                             next_attempt_at, created_at)
                        VALUES (?, 'uninstalled', '', 'PENDING', 0, ?, ?)""")
                .bind(0, event).bind(1, clock.instant()).bind(2, clock.instant()).execute());
        dispatcher.wake();
        await(() -> deadLetters(jdbi, "uninstalled") == 1, Duration.ofSeconds(20),
                () -> "the delivery to an uninstalled notifier is not dead yet");

        // housekeeping: events whose deliveries all ended go; any with a dead letter or a pending try stays
        finishedEvent(jdbi, "DELIVERED");
        finishedEvent(jdbi, "DROPPED");
        int stored = count(jdbi, "notification_events");
        assertThat(outbox.purgeFinishedBefore(clock.instant().minusSeconds(3600))).isZero();
        assertThat(outbox.purgeFinishedBefore(clock.instant().plusSeconds(1))).isEqualTo(2);
        assertThat(count(jdbi, "notification_events")).isEqualTo(stored - 2);
        assertThat(deadLetters(jdbi, "throwing")).isEqualTo(6);

        // a server event reaches an admin's own channel
        long admin = jdbi.withHandle(handle -> handle.createUpdate("""
                        INSERT INTO users (username, password_hash, role, created_at) VALUES ('root', 'x', 'ADMIN', ?)""")
                .bind(0, clock.instant()).executeAndReturnGeneratedKeys("id").mapTo(Long.class).one());
        channels.create(Channel.Scope.USER, null, admin, new NotificationChannels.ChannelRequest("recording", "mine",
                List.of("plugin.failed"), null, true, Map.of(), Set.of()), Actor.system());
        outbox.store(new NotificationEvent.PluginFailed(clock.instant(), "broken-plugin", "no class"));
        dispatcher.wake();
        await(() -> recording.kinds.contains("plugin.failed"), Duration.ofSeconds(20),
                () -> "the admin's channel got " + recording.kinds);
    }

    /** An event expanded into one delivery that has ended as {@code status}. */
    private void finishedEvent(Jdbi jdbi, String status) {
        jdbi.useTransaction(handle -> {
            long event = outbox.store(handle, new NotificationEvent.PluginFailed(clock.instant(), "done", status));
            handle.createUpdate("UPDATE notification_events SET fanned_out = TRUE WHERE id = ?").bind(0, event)
                    .execute();
            handle.createUpdate("""
                            INSERT INTO notification_deliveries (event_id, notifier, recipient, status, attempts,
                                                                 next_attempt_at, created_at)
                            VALUES (?, 'recording', '', ?, 1, ?, ?)""")
                    .bind(0, event).bind(1, status).bind(2, clock.instant()).bind(3, clock.instant()).execute();
        });
    }

    private static int count(Jdbi jdbi, String tableAndCondition) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT count(*) FROM " + tableAndCondition)
                .mapTo(Integer.class).one());
    }

    private static int deadLetters(Jdbi jdbi, String notifier) {
        return jdbi.withHandle(handle -> handle.createQuery(
                "SELECT count(*) FROM notification_deliveries WHERE notifier = ? AND status = 'DEAD'")
                .bind(0, notifier).mapTo(Integer.class).one());
    }

    private static int abandoned(Jdbi jdbi) {
        return jdbi.withHandle(handle -> handle.createQuery(
                "SELECT count(*) FROM notification_attempts WHERE detail LIKE 'No answer within 2 s%'")
                .mapTo(Integer.class).one());
    }

    private static void await(BooleanSupplier condition, Duration limit, java.util.function.Supplier<String> why) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(why.get());
            }
            LockSupport.parkNanos(50_000_000);
        }
    }

    private static final class Recording implements Notifier {
        final List<String> kinds = new CopyOnWriteArrayList<>();
        final List<NotificationContext> contexts = new CopyOnWriteArrayList<>();

        public String id() {
            return "recording";
        }

        public String displayName() {
            return "Recording";
        }

        public DeliveryReceipt deliver(NotificationEvent event, NotificationContext context) {
            kinds.add(event.kind().wireName());
            contexts.add(context);
            return DeliveryReceipt.of(200, "OK");
        }
    }

    private static final class Throwing implements Notifier {
        final AtomicInteger calls = new AtomicInteger();

        public String id() {
            return "throwing";
        }

        public String displayName() {
            return "Throwing";
        }

        public DeliveryReceipt deliver(NotificationEvent event, NotificationContext context) {
            calls.incrementAndGet();
            throw new IllegalStateException("boom");
        }
    }

    private static final class Hanging implements Notifier {
        final AtomicInteger calls = new AtomicInteger();
        final CountDownLatch release = new CountDownLatch(1);

        public String id() {
            return "hanging";
        }

        public String displayName() {
            return "Hanging";
        }

        public DeliveryReceipt deliver(NotificationEvent event, NotificationContext context)
                throws InterruptedException {
            calls.incrementAndGet();
            release.await();
            return DeliveryReceipt.of(200, "late");
        }
    }
}
