package io.miaobu.server.build;

import io.miaobu.server.boot.Managed;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes queued deployments from the database, oldest first, one per project at a time, and runs up to
 * {@code concurrency} of them at once. The queue is the deployments table itself, so queued work survives a restart;
 * claiming is a conditional update, so a deployment is never run twice. Woken at once when work is queued, and
 * polls every few seconds as a safety net.
 */
public final class BuildExecutor implements Managed {

    private static final Logger LOG = LoggerFactory.getLogger(BuildExecutor.class);
    private static final long POLL_MILLIS = 5_000;

    private final Jdbi jdbi;
    private final DeploymentDao deployments;
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

    public BuildExecutor(Jdbi jdbi, BuildPipeline pipeline, int concurrency, Clock clock) {
        this.jdbi = jdbi;
        this.deployments = jdbi.onDemand(DeploymentDao.class);
        this.pipeline = pipeline;
        this.concurrency = concurrency;
        this.clock = clock;
        this.slots = new Semaphore(concurrency);
    }

    @Override
    public void start() {
        failInterruptedBuilds();
        var counter = new AtomicInteger();
        workers = Executors.newFixedThreadPool(concurrency, r -> {
            Thread t = new Thread(r, "build-" + counter.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        dispatcher = new Thread(this::dispatchLoop, "build-dispatcher");
        dispatcher.setDaemon(true);
        dispatcher.start();
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

    public boolean isRunning(long deploymentId) {
        return running.containsKey(deploymentId);
    }

    private void failInterruptedBuilds() {
        for (Deployment deployment : deployments.listRunning()) {
            jdbi.useTransaction(handle -> {
                DeploymentDao dao = handle.attach(DeploymentDao.class);
                if (dao.finish(deployment.id(), DeploymentStatus.FAILED, "Interrupted by server restart.",
                        clock.instant()) == 1) {
                    dao.recordStatusChange(deployment.id(), DeploymentStatus.FAILED, clock.instant());
                }
            });
            LOG.warn("Deployment {} was running when the server stopped; marked FAILED", deployment.id());
        }
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
        List<Deployment> candidates = deployments.claimable(free * 4);
        Set<Long> projectsTaken = new HashSet<>();
        for (Deployment candidate : candidates) {
            if (!projectsTaken.add(candidate.projectId())) {
                continue;
            }
            if (!slots.tryAcquire()) {
                return;
            }
            if (deployments.claim(candidate.id(), clock.instant()) != 1) {
                slots.release();
                continue;
            }
            workers.execute(() -> runClaimed(candidate.id()));
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
