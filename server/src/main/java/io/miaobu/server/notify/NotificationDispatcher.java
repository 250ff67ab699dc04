package io.miaobu.server.notify;

import io.miaobu.api.config.ConfigValues;
import io.miaobu.api.notify.DeliveryFailedException;
import io.miaobu.api.notify.DeliveryReceipt;
import io.miaobu.api.notify.NotDeliverableException;
import io.miaobu.api.notify.NotificationContext;
import io.miaobu.api.notify.NotificationEvent;
import io.miaobu.api.notify.Notifier;
import io.miaobu.server.boot.Managed;
import io.miaobu.server.boot.NotificationConfig;
import io.miaobu.server.plugin.ExtensionRegistry;
import io.miaobu.server.plugin.ExtensionSettings;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends what the {@link NotificationOutbox} stored, on its own threads, so that nothing a notifier does slows a build:
 * collects deployment events, expands them into deliveries, and hands due deliveries to a few workers — at most one
 * at a time per channel, so a slow or failing endpoint holds up only itself. A try that fails is retried with
 * exponential backoff; after the last one (or at once when retrying cannot help) the delivery is a dead letter, which
 * admins can retry or drop. A try that takes longer than the time limit is abandoned (its thread interrupted) and
 * counts as failed.
 *
 * <p>Claims are leases in the database, so several nodes can share the work; a delivery whose node died is taken
 * over when its lease runs out.
 */
public final class NotificationDispatcher implements Managed {

    private static final Logger LOG = LoggerFactory.getLogger(NotificationDispatcher.class);
    private static final Duration LONGEST_WAIT = Duration.ofHours(1);
    private static final long POLL_MILLIS = 500;

    private final Jdbi jdbi;
    private final NotificationOutbox outbox;
    private final ExtensionRegistry extensions;
    private final ExtensionSettings settings;
    private final NotificationConfig config;
    private final String nodeId;
    private final Clock clock;
    private final Semaphore freeWorkers;
    private final Set<String> busyChannels = ConcurrentHashMap.newKeySet();
    private ScheduledExecutorService loop;
    private ExecutorService workers;
    private ScheduledExecutorService watchdog;

    public NotificationDispatcher(Jdbi jdbi, NotificationOutbox outbox, ExtensionRegistry extensions,
                                  ExtensionSettings settings, NotificationConfig config, String nodeId, Clock clock) {
        this.jdbi = jdbi;
        this.outbox = outbox;
        this.extensions = extensions;
        this.settings = settings;
        this.config = config;
        this.nodeId = nodeId;
        this.clock = clock;
        this.freeWorkers = new Semaphore(config.workers());
    }

    @Override
    public void start() {
        loop = Executors.newSingleThreadScheduledExecutor(named("notify-dispatch"));
        // more threads than workers: a try abandoned after its time limit may still hold one until it notices
        workers = Executors.newCachedThreadPool(named("notify-send"));
        watchdog = Executors.newSingleThreadScheduledExecutor(named("notify-watchdog"));
        loop.scheduleWithFixedDelay(this::tick, 0, POLL_MILLIS, TimeUnit.MILLISECONDS);
        loop.scheduleWithFixedDelay(this::purge, 1, 60, TimeUnit.MINUTES);
    }

    /** Looks for work now instead of at the next poll (after a change that produced events). */
    public void wake() {
        ScheduledExecutorService current = loop;
        if (current != null && !current.isShutdown()) {
            current.execute(this::tick);
        }
    }

    private void tick() {
        try {
            while (outbox.collectDeploymentEvents() > 0) {
                // until every committed change is an event
            }
            while (outbox.fanOut() > 0) {
                // until every event is expanded
            }
            sendDue();
        } catch (RuntimeException e) {
            LOG.warn("Notification dispatch failed; trying again shortly: {}", e.getMessage(), e);
        }
    }

    /** Deletes notifications whose deliveries all ended more than {@code notifications.keep.days} ago. */
    private void purge() {
        try {
            int purged = outbox.purgeFinishedBefore(clock.instant().minus(config.keep()));
            if (purged > 0) {
                LOG.debug("Purged {} finished notifications", purged);
            }
        } catch (RuntimeException e) {
            LOG.warn("Could not purge finished notifications: {}", e.getMessage());
        }
    }

    private void sendDue() {
        if (freeWorkers.availablePermits() == 0) {
            return;
        }
        Instant now = clock.instant();
        record Due(long id, Long channelId, String notifier) {
        }
        List<Due> due = jdbi.withHandle(handle -> handle.createQuery("""
                        SELECT id, channel_id, notifier FROM notification_deliveries
                        WHERE (status = 'PENDING' AND next_attempt_at <= :now)
                           OR (status = 'SENDING' AND lease_until < :now)
                        ORDER BY next_attempt_at, id LIMIT 100""")
                .bind("now", now)
                .map((rs, ctx) -> new Due(rs.getLong(1), rs.getObject(2, Long.class), rs.getString(3)))
                .list());
        for (Due delivery : due) {
            String lane = delivery.channelId() != null ? "channel:" + delivery.channelId()
                    : "notifier:" + delivery.notifier();
            if (busyChannels.contains(lane) || !freeWorkers.tryAcquire()) {
                continue;
            }
            if (!busyChannels.add(lane)) {
                freeWorkers.release();
                continue;
            }
            if (!claim(delivery.id(), now)) {
                busyChannels.remove(lane);
                freeWorkers.release();
                continue;
            }
            try {
                workers.execute(() -> send(delivery.id(), lane));
            } catch (RuntimeException e) {
                busyChannels.remove(lane);
                freeWorkers.release();
                throw e;
            }
        }
    }

    private boolean claim(long id, Instant now) {
        Instant lease = now.plus(config.timeout().multipliedBy(2)).plusSeconds(30);
        return jdbi.withHandle(handle -> handle.createUpdate("""
                        UPDATE notification_deliveries SET status = 'SENDING', lease_until = :lease, claimed_by = :node
                        WHERE id = :id AND ((status = 'PENDING' AND next_attempt_at <= :now)
                                            OR (status = 'SENDING' AND lease_until < :now))""")
                .bind("lease", lease).bind("node", nodeId).bind("id", id).bind("now", now)
                .execute() == 1);
    }

    /** One try of one claimed delivery, on a worker thread. */
    private void send(long deliveryId, String lane) {
        var settled = new AtomicBoolean();
        var abandoned = new AtomicBoolean();
        Future<?> timeLimit = null;
        try {
            Attempt attempt = load(deliveryId);
            if (attempt == null) {
                return;
            }
            Thread worker = Thread.currentThread();
            timeLimit = watchdog.schedule(() -> {
                if (settled.compareAndSet(false, true)) {
                    // the channel may go on; the abandoned thread ends when the notifier notices the interrupt
                    abandoned.set(true);
                    fail(attempt, 0, "No answer within " + config.timeout().toSeconds() + " s; abandoned.", false);
                    worker.interrupt();
                    release(lane);
                }
            }, config.timeout().toMillis(), TimeUnit.MILLISECONDS);
            long started = System.nanoTime();
            try {
                DeliveryReceipt receipt = attempt.notifier().deliver(attempt.event(), attempt.context());
                if (settled.compareAndSet(false, true)) {
                    succeed(attempt, receipt == null ? DeliveryReceipt.of(0, "") : receipt, started);
                }
            } catch (NotDeliverableException e) {
                if (settled.compareAndSet(false, true)) {
                    fail(attempt, e.statusCode(), e.getMessage(), true);
                }
            } catch (DeliveryFailedException e) {
                if (settled.compareAndSet(false, true)) {
                    fail(attempt, e.statusCode(), e.getMessage(), false);
                }
            } catch (InterruptedException e) {
                if (settled.compareAndSet(false, true)) {
                    fail(attempt, 0, "Interrupted: the server is stopping.", false);
                }
            } catch (RuntimeException | LinkageError e) {
                if (settled.compareAndSet(false, true)) {
                    LOG.warn("Notifier {} failed delivering {}", attempt.notifier().id(), deliveryId, e);
                    fail(attempt, 0, "The " + attempt.notifier().displayName() + " notifier failed: "
                            + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), false);
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("Delivery {} could not be prepared: {}", deliveryId, e.getMessage(), e);
            if (settled.compareAndSet(false, true)) {
                failUnprepared(deliveryId, e);
            }
        } finally {
            if (timeLimit != null) {
                timeLimit.cancel(false);
            }
            Thread.interrupted();
            if (!abandoned.get()) {
                release(lane);
            }
        }
    }

    /**
     * Sends a test notification through a notifier now, on a worker, waiting at most the time limit: the "Send test"
     * buttons. Nothing is stored or retried.
     *
     * @throws io.miaobu.api.ExtensionException with the notifier's explanation when it failed
     */
    public DeliveryReceipt sendTest(Notifier notifier, ConfigValues channelSettings, List<String> recipients,
                                    String requestedBy) {
        var event = new NotificationEvent.Test(clock.instant(), requestedBy);
        var context = new NotificationContext(settings.valuesFor("Notifier", notifier), channelSettings, recipients,
                "mbd-test-" + System.currentTimeMillis(), 1);
        Future<DeliveryReceipt> sending = workers.submit(() -> notifier.deliver(event, context));
        try {
            DeliveryReceipt receipt = sending.get(config.timeout().toMillis(), TimeUnit.MILLISECONDS);
            return receipt == null ? DeliveryReceipt.of(0, "") : receipt;
        } catch (java.util.concurrent.TimeoutException e) {
            sending.cancel(true);
            throw new io.miaobu.api.ExtensionException("No answer within " + config.timeout().toSeconds() + " s.");
        } catch (InterruptedException e) {
            sending.cancel(true);
            Thread.currentThread().interrupt();
            throw new io.miaobu.api.ExtensionException("Interrupted.");
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof io.miaobu.api.ExtensionException failure) {
                throw failure;
            }
            LOG.warn("Test notification through {} failed", notifier.id(), e.getCause());
            throw new io.miaobu.api.ExtensionException("The " + notifier.displayName() + " notifier failed: "
                    + e.getCause().getMessage());
        }
    }

    private void release(String lane) {
        if (busyChannels.remove(lane)) {
            freeWorkers.release();
        }
    }

    /** A delivery with everything a try needs. */
    private record Attempt(long deliveryId, int number, Notifier notifier, NotificationEvent event,
                           NotificationContext context) {
    }

    private Attempt load(long deliveryId) {
        record Row(long eventId, Long channelId, String notifier, String recipient, int attempts, String type,
                   String payload) {
        }
        Optional<Row> row = jdbi.withHandle(handle -> handle.createQuery("""
                        SELECT d.event_id, d.channel_id, d.notifier, d.recipient, d.attempts, e.type, e.payload
                        FROM notification_deliveries d JOIN notification_events e ON e.id = d.event_id
                        WHERE d.id = :id AND d.status = 'SENDING' AND d.claimed_by = :node""")
                .bind("id", deliveryId).bind("node", nodeId)
                .map((rs, ctx) -> new Row(rs.getLong(1), rs.getObject(2, Long.class), rs.getString(3),
                        rs.getString(4), rs.getInt(5), rs.getString(6), rs.getString(7)))
                .findOne());
        if (row.isEmpty()) {
            return null;
        }
        Row r = row.get();
        Notifier notifier = extensions.find(Notifier.class, r.notifier())
                .orElseThrow(() -> new IllegalStateException("The notifier plugin '" + r.notifier()
                        + "' is not installed or not running."));
        ConfigValues channelSettings = r.channelId() == null ? ConfigValues.EMPTY
                : settings.valuesFor(Channel.settingsKey(r.channelId()), notifier.channelSettings());
        var context = new NotificationContext(settings.valuesFor("Notifier", notifier), channelSettings,
                r.recipient().isEmpty() ? List.of() : List.of(r.recipient()), "mbd-" + deliveryId, r.attempts() + 1);
        return new Attempt(deliveryId, r.attempts() + 1, notifier, EventJson.read(r.type(), r.payload()), context);
    }

    private void succeed(Attempt attempt, DeliveryReceipt receipt, long startedNanos) {
        Instant now = clock.instant();
        jdbi.useTransaction(handle -> {
            int updated = handle.createUpdate("""
                            UPDATE notification_deliveries SET status = 'DELIVERED', attempts = :attempt,
                                   status_code = :code, detail = :detail, refused = :refused, finished_at = :now,
                                   lease_until = NULL
                            WHERE id = :id AND status = 'SENDING' AND claimed_by = :node""")
                    .bind("attempt", attempt.number()).bind("code", receipt.statusCode())
                    .bind("detail", cut(receipt.detail())).bind("refused", cut(String.join(", ",
                            receipt.refusedRecipients())))
                    .bind("now", now).bind("id", attempt.deliveryId()).bind("node", nodeId).execute();
            if (updated == 1) {
                recordAttempt(handle, attempt.deliveryId(), attempt.number(), now, true, receipt.statusCode(),
                        receipt.refusedRecipients().isEmpty() ? receipt.detail()
                                : receipt.detail() + " (refused: " + String.join(", ", receipt.refusedRecipients())
                                + ")", startedNanos);
            }
        });
    }

    private void fail(Attempt attempt, int statusCode, String message, boolean permanent) {
        Instant now = clock.instant();
        boolean dead = permanent || attempt.number() >= config.attempts();
        Instant next = now.plus(backoff(attempt.number()));
        jdbi.useTransaction(handle -> {
            int updated = handle.createUpdate("""
                            UPDATE notification_deliveries SET status = :status, attempts = :attempt,
                                   status_code = :code, detail = :detail, next_attempt_at = :next,
                                   finished_at = :finished, lease_until = NULL
                            WHERE id = :id AND status = 'SENDING' AND claimed_by = :node""")
                    .bind("status", dead ? "DEAD" : "PENDING").bind("attempt", attempt.number())
                    .bind("code", statusCode == 0 ? null : statusCode).bind("detail", cut(message))
                    .bind("next", next).bind("finished", dead ? now : null)
                    .bind("id", attempt.deliveryId()).bind("node", nodeId).execute();
            if (updated == 1) {
                recordAttempt(handle, attempt.deliveryId(), attempt.number(), now, false,
                        statusCode == 0 ? null : statusCode, message, 0);
            }
        });
        if (dead) {
            LOG.warn("Notification delivery {} is a dead letter after {} tries: {}", attempt.deliveryId(),
                    attempt.number(), message);
        }
    }

    /** A try that could not even start (its notifier is not installed any more): counted like a failed one. */
    private void failUnprepared(long deliveryId, RuntimeException e) {
        Instant now = clock.instant();
        jdbi.useHandle(handle -> handle.createUpdate("""
                        UPDATE notification_deliveries
                        SET status = CASE WHEN attempts + 1 >= :max THEN 'DEAD' ELSE 'PENDING' END,
                            finished_at = CASE WHEN attempts + 1 >= :max
                                               THEN CAST(:now AS TIMESTAMP WITH TIME ZONE) ELSE NULL END,
                            attempts = attempts + 1, detail = :detail, next_attempt_at = :next, lease_until = NULL
                        WHERE id = :id AND status = 'SENDING' AND claimed_by = :node""")
                .bind("max", config.attempts()).bind("now", now)
                .bind("detail", cut(e.getMessage())).bind("next", now.plus(config.firstRetry()))
                .bind("id", deliveryId).bind("node", nodeId).execute());
    }

    private static void recordAttempt(org.jdbi.v3.core.Handle handle, long deliveryId, int number, Instant at,
                                      boolean succeeded, Integer statusCode, String detail, long startedNanos) {
        handle.createUpdate("""
                        INSERT INTO notification_attempts (delivery_id, attempt, at, succeeded, status_code, detail,
                                                           duration_ms)
                        VALUES (?, ?, ?, ?, ?, ?, ?)""")
                .bind(0, deliveryId).bind(1, number).bind(2, at).bind(3, succeeded).bind(4, statusCode)
                .bind(5, cut(detail))
                .bind(6, startedNanos == 0 ? 0 : TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos))
                .execute();
    }

    /** The wait after the {@code attempt}th try failed: the first retry wait, doubled each time, at most an hour. */
    Duration backoff(int attempt) {
        Duration wait = config.firstRetry();
        for (int i = 1; i < attempt && wait.compareTo(LONGEST_WAIT) < 0; i++) {
            wait = wait.multipliedBy(2);
        }
        return wait.compareTo(LONGEST_WAIT) > 0 ? LONGEST_WAIT : wait;
    }

    private static String cut(String text) {
        if (text == null) {
            return null;
        }
        return text.length() <= 2000 ? text : text.substring(0, 1997) + "...";
    }

    private static ThreadFactory named(String name) {
        var counter = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, name + "-" + counter.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    @Override
    public void stop() throws InterruptedException {
        if (loop == null) {
            return;
        }
        loop.shutdownNow();
        loop.awaitTermination(10, TimeUnit.SECONDS);
        workers.shutdownNow();
        workers.awaitTermination(5, TimeUnit.SECONDS);
        watchdog.shutdownNow();
    }
}
