package io.miaobu.server.build;

import io.miaobu.server.boot.Managed;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The clients of the deployments' event streams ({@code GET /api/v1/deployments/{id}/events}), served without a
 * thread per client: the endpoint hands each client over with {@link #open} and returns.
 *
 * <ul>
 *   <li>A small pool of pusher threads ({@code log-stream-N}) writes to the clients, in batches: many events per
 *       write and flush, straight from the log file for the lines a client has not seen yet (a finished log, or the
 *       part of a running build's log written before it joined). A run writes at most {@link Limits#sliceBytes()},
 *       then lets the next client have the thread.</li>
 *   <li>The build's writer thread only queues its lines for each client and never waits for one: a client whose
 *       queue passes {@link Limits#maxPendingEvents()} or {@link Limits#maxPendingChars()} is disconnected, and so
 *       is one whose write has not moved for {@link Limits#stalledWrite()}. Its {@code EventSource} reconnects
 *       with {@code Last-Event-ID} and goes on from the file.</li>
 *   <li>One timer thread ({@code log-stream-timer}) queues a keep-alive comment for a client that got nothing for
 *       {@link #HEARTBEAT_SECONDS}, and looks after the clients of queued deployments: it sends their status when it
 *       changes (and as their keep-alive), and replays the log and {@code end} once the deployment has ended without
 *       its log being opened (cancelled while queued). When a build opens its log ({@link BuildLogs#onOpen}), its
 *       waiting clients start following it at once.</li>
 * </ul>
 * Thread-safe. Built and started by the composition root; {@link #stop} ends the threads.
 */
public final class LogStreams implements Managed {

    /** A client that got nothing for this long gets a keep-alive comment. */
    public static final long HEARTBEAT_SECONDS = 15;

    private static final Logger LOG = LoggerFactory.getLogger(LogStreams.class);

    /**
     * How the streams are served.
     *
     * @param pushers          threads that write to the clients
     * @param heartbeat        silence after which a client gets a keep-alive (a queued deployment's status)
     * @param tick             how often the timer looks at the clients and at queued deployments' status
     * @param stalledWrite     a client whose write has not moved for this long is disconnected
     * @param maxPendingEvents events queued for one client at most; beyond, it is disconnected
     * @param maxPendingChars  characters of lines queued for one client at most; beyond, it is disconnected
     * @param batchBytes       bytes of events per write and flush
     * @param sliceBytes       bytes one pusher writes to one client before it turns to the next
     */
    record Limits(int pushers, Duration heartbeat, Duration tick, Duration stalledWrite, int maxPendingEvents,
                  long maxPendingChars, int batchBytes, int sliceBytes) {

        static final Limits DEFAULTS = new Limits(4, Duration.ofSeconds(HEARTBEAT_SECONDS), Duration.ofSeconds(1),
                Duration.ofSeconds(10), 100_000, 8L << 20, 64 << 10, 1 << 20);
    }

    private final BuildLogs logs;
    private final LongFunction<Optional<DeploymentStatus>> statuses;
    private final Limits limits;
    private final Set<LogStreamClient> clients = ConcurrentHashMap.newKeySet();
    private final ConcurrentMap<Long, Set<LogStreamClient>> waiting = new ConcurrentHashMap<>();
    private volatile ExecutorService pushers;
    private volatile ScheduledExecutorService timer;

    /**
     * @param statuses a deployment's status by id; empty when there is no such deployment (any more)
     */
    public LogStreams(BuildLogs logs, LongFunction<Optional<DeploymentStatus>> statuses) {
        this(logs, statuses, Limits.DEFAULTS);
    }

    LogStreams(BuildLogs logs, LongFunction<Optional<DeploymentStatus>> statuses, Limits limits) {
        this.logs = logs;
        this.statuses = statuses;
        this.limits = limits;
    }

    @Override
    public void start() {
        pushers = Executors.newFixedThreadPool(limits.pushers(), named("log-stream-"));
        timer = Executors.newSingleThreadScheduledExecutor(named("log-stream-timer"));
        long tick = limits.tick().toMillis();
        timer.scheduleWithFixedDelay(this::tick, tick, tick, TimeUnit.MILLISECONDS);
        logs.onOpen(this::logOpened);
    }

    /** Stops the threads and lets every client go. */
    @Override
    public void stop() throws InterruptedException {
        ScheduledExecutorService timer = this.timer;
        ExecutorService pushers = this.pushers;
        if (timer == null) {
            return;
        }
        timer.shutdownNow();
        pushers.shutdownNow();
        for (LogStreamClient client : clients) {
            client.markClosed();
            client.abort();
        }
        if (pushers.awaitTermination(5, TimeUnit.SECONDS)) {
            clients.forEach(client -> client.release(false));
        }
        waiting.clear();
    }

    /**
     * Serves a new client: the lines after {@code afterLine}, then while the build runs (or, for a queued deployment,
     * once it starts) its new lines and status changes, then {@code end}. Returns at once.
     */
    void open(long deploymentId, long afterLine, EventStreamSink sink) {
        var client = new LogStreamClient(deploymentId, afterLine, sink, this);
        clients.add(client);
        try {
            begin(client);
        } catch (RuntimeException e) {
            LOG.warn("Could not start the event stream of deployment {}", deploymentId, e);
            disconnect(client, e.toString());
        }
    }

    /** How many clients are connected; for tests. */
    int clientCount() {
        return clients.size();
    }

    Limits limits() {
        return limits;
    }

    BuildLogs logs() {
        return logs;
    }

    /** Has a pusher run the client's {@link LogStreamClient#drain}. */
    void push(LogStreamClient client) {
        try {
            pushers.execute(client::drain);
        } catch (RejectedExecutionException e) {
            // stopping: stop() lets it go
        }
    }

    /** Lets a client go: from any thread, also the build's, so the connection is dropped on the timer thread. */
    void disconnect(LogStreamClient client, String reason) {
        if (client.markClosed()) {
            LOG.debug("Disconnected a client of the log of deployment {}: {}", client.deploymentId(), reason);
            try {
                timer.execute(client::abort);
            } catch (RejectedExecutionException e) {
                client.abort();
            }
        }
    }

    /** A client is gone. */
    void forget(LogStreamClient client) {
        clients.remove(client);
        waiting.computeIfPresent(client.deploymentId(), (id, set) -> {
            set.remove(client);
            return set.isEmpty() ? null : set;
        });
    }

    private void begin(LogStreamClient client) {
        long id = client.deploymentId();
        if (logs.isActive(id) && client.follow(logs)) {
            return;
        }
        Optional<DeploymentStatus> status = statusOf(id);
        if (status.isEmpty() || status.get().isFinal()) {
            client.replayStoredLog();
            return;
        }
        client.remindOfStatus(status.get(), System.nanoTime());
        waiting.compute(id, (key, set) -> {
            Set<LogStreamClient> clientsOfId = set == null ? ConcurrentHashMap.newKeySet() : set;
            clientsOfId.add(client);
            return clientsOfId;
        });
        // the log may have been opened since it was looked at: then nobody would tell this client
        if (logs.isActive(id)) {
            startFollowing(id);
        }
    }

    /** Called on the build's thread when it opens a log. */
    private void logOpened(long deploymentId) {
        if (waiting.containsKey(deploymentId)) {
            try {
                pushers.execute(() -> startFollowing(deploymentId));
            } catch (RejectedExecutionException e) {
                // stopping
            }
        }
    }

    private void startFollowing(long deploymentId) {
        Set<LogStreamClient> waiters = waiting.remove(deploymentId);
        if (waiters != null) {
            waiters.forEach(this::begin);
        }
    }

    private void tick() {
        try {
            long now = System.nanoTime();
            for (Long id : waiting.keySet()) {
                try {
                    lookAtQueued(id, now);
                } catch (RuntimeException e) {
                    LOG.warn("Could not look at the status of deployment {} for its event streams", id, e);
                }
            }
            for (LogStreamClient client : clients) {
                client.checkLiveness(now);
            }
        } catch (RuntimeException e) {
            LOG.warn("Could not look after the clients of the build logs", e);
        }
    }

    private void lookAtQueued(long deploymentId, long now) {
        if (logs.isActive(deploymentId)) {
            startFollowing(deploymentId);
            return;
        }
        Optional<DeploymentStatus> status = statusOf(deploymentId);
        if (status.isEmpty() || status.get().isFinal()) {
            Set<LogStreamClient> waiters = waiting.remove(deploymentId);
            if (waiters != null) {
                // ended without opening its log (cancelled while queued), or it ran between two looks
                waiters.forEach(LogStreamClient::replayStoredLog);
            }
            return;
        }
        Set<LogStreamClient> waiters = waiting.get(deploymentId);
        if (waiters != null) {
            waiters.forEach(client -> client.remindOfStatus(status.get(), now));
        }
    }

    private Optional<DeploymentStatus> statusOf(long deploymentId) {
        return statuses.apply(deploymentId);
    }

    private static ThreadFactory named(String prefix) {
        var count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix.endsWith("-") ? prefix + count.incrementAndGet() : prefix);
            thread.setDaemon(true);
            return thread;
        };
    }
}
