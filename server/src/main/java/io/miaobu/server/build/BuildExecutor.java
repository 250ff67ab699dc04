package io.miaobu.server.build;

import io.miaobu.server.boot.Managed;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes queued deployments from the {@link BuildQueue}, oldest first, within each project's limit, and runs up to
 * {@code concurrency} of them at once on this node. Queued work survives a restart; at start, the builds this node held
 * when it stopped are failed ("interrupted by server restart") and retried once where the project allows. While
 * builds run, a heartbeat every {@link #HEARTBEAT} keeps them alive and picks up cancel requests made on other nodes;
 * a watchdog fails builds of any node whose heartbeat stopped. Woken at once when work is queued, and polls every few
 * seconds as a safety net.
 */
public final class BuildExecutor implements Managed {

    private static final Logger LOG = LoggerFactory.getLogger(BuildExecutor.class);
    private static final long POLL_MILLIS = 5_000;
    static final Duration HEARTBEAT = Duration.ofSeconds(10);

    private final BuildQueue queue;
    private final String nodeId;
    private final Duration silence;
    private final ScheduledExecutorService timer;
    private final BuildPipeline pipeline;
    private final int concurrency;
    private final Clock clock;
    private final Semaphore slots;
    private final Map<Long, BuildControl> running = new ConcurrentHashMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition workArrived = lock.newCondition();
    private boolean wakeRequested;
    private volatile boolean stopping;
    private ExecutorService workers;
    private Thread dispatcher;

    /**
     * @param nodeId  this server's name in the queue, stable across restarts of the same installation
     * @param silence how long a running build may go without a heartbeat before the watchdog fails it
     * @param timer   runs the heartbeat and the watchdog
     */
    public BuildExecutor(BuildQueue queue, String nodeId, Duration silence, ScheduledExecutorService timer,
                         BuildPipeline pipeline, int concurrency, Clock clock) {
        this.queue = queue;
        this.nodeId = nodeId;
        this.silence = silence;
        this.timer = timer;
        this.pipeline = pipeline;
        this.concurrency = concurrency;
        this.clock = clock;
        this.slots = new Semaphore(concurrency);
    }

    @Override
    public void start() {
        queue.recoverAfterRestart(nodeId);
        var counter = new AtomicInteger();
        workers = Executors.newFixedThreadPool(concurrency, r -> {
            Thread t = new Thread(r, "build-" + counter.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        dispatcher = new Thread(this::dispatchLoop, "build-dispatcher");
        dispatcher.setDaemon(true);
        dispatcher.start();
        timer.scheduleWithFixedDelay(this::heartbeat, HEARTBEAT.toMillis(), HEARTBEAT.toMillis(),
                TimeUnit.MILLISECONDS);
        timer.scheduleWithFixedDelay(this::watchdog, silence.toMillis() / 2, silence.toMillis() / 2,
                TimeUnit.MILLISECONDS);
    }

    /** Keeps this node's builds alive in the queue and carries out cancel requests made elsewhere. */
    void heartbeat() {
        try {
            Map<Long, String> cancelRequests = queue.heartbeat(nodeId, Set.copyOf(running.keySet()));
            cancelRequests.forEach((id, reason) -> cancelRunning(id, reason));
        } catch (RuntimeException e) {
            LOG.warn("Build heartbeat failed: {}", e.getMessage());
        }
    }

    /** Fails builds (of any node) whose heartbeat stopped; their retries are queued, so wake the dispatcher. */
    void watchdog() {
        try {
            if (!queue.failSilent(silence, Set.copyOf(running.keySet())).isEmpty()) {
                wake();
            }
        } catch (RuntimeException e) {
            LOG.warn("Build watchdog failed: {}", e.getMessage());
        }
    }

    @Override
    public void stop() throws InterruptedException {
        stopping = true;
        wake();
        if (dispatcher != null) {
            dispatcher.join(5_000);
        }
        running.values().forEach(control -> control.cancel("Cancelled: the server is shutting down."));
        if (workers != null) {
            workers.shutdown();
            if (!workers.awaitTermination(30, TimeUnit.SECONDS)) {
                workers.shutdownNow();
            }
        }
    }

    /** Tells the dispatcher that a deployment was queued or a slot freed. */
    public void wake() {
        lock.lock();
        try {
            wakeRequested = true;
            workArrived.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Cancels a deployment that runs in this process.
     *
     * @return false when it is not running here, or already going live
     */
    public boolean cancelRunning(long deploymentId, String reason) {
        BuildControl control = running.get(deploymentId);
        return control != null && control.cancel(reason);
    }

    public String nodeId() {
        return nodeId;
    }

    public boolean isRunning(long deploymentId) {
        return running.containsKey(deploymentId);
    }

    private void dispatchLoop() {
        while (!stopping) {
            try {
                dispatchOnce();
                awaitWork();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.error("Build dispatcher error; retrying", e);
                try {
                    awaitWork();
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    private void awaitWork() throws InterruptedException {
        lock.lock();
        try {
            if (!wakeRequested && !stopping) {
                workArrived.await(POLL_MILLIS, TimeUnit.MILLISECONDS);
            }
            wakeRequested = false;
        } finally {
            lock.unlock();
        }
    }

    private void dispatchOnce() {
        int free = slots.availablePermits();
        if (free == 0 || stopping) {
            return;
        }
        // only this thread takes slots, so the ones counted free stay free until taken here
        for (Deployment deployment : queue.claim(nodeId, free)) {
            slots.acquireUninterruptibly();
            workers.execute(() -> runClaimed(deployment.id()));
        }
    }

    private void runClaimed(long deploymentId) {
        var control = new BuildControl(Thread.currentThread());
        running.put(deploymentId, control);
        try {
            pipeline.run(deploymentId, control);
        } catch (RuntimeException e) {
            LOG.error("Deployment {} crashed the pipeline", deploymentId, e);
        } finally {
            running.remove(deploymentId);
            Thread.interrupted();
            slots.release();
            wake();
        }
    }
}
