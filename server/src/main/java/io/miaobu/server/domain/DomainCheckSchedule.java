package io.miaobu.server.domain;

import io.miaobu.server.boot.Managed;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Checks every custom domain again every {@code domains.check.interval}, on a thread of its own. */
public final class DomainCheckSchedule implements Managed {

    private static final Logger LOG = LoggerFactory.getLogger(DomainCheckSchedule.class);

    private final CustomDomains domains;
    private final Duration interval;
    private ScheduledExecutorService scheduler;

    public DomainCheckSchedule(CustomDomains domains, Duration interval) {
        this.domains = domains;
        this.interval = interval;
    }

    @Override
    public synchronized void start() {
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "domain-checks");
            t.setDaemon(true);
            return t;
        });
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                int checked = domains.checkAll();
                domains.loadRoutes();
                LOG.debug("Checked {} custom domains", checked);
            } catch (RuntimeException e) {
                // a scheduled task that throws is never run again
                LOG.warn("Checking custom domains failed; trying again in {}", interval, e);
            }
        }, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void stop() throws InterruptedException {
        if (scheduler != null) {
            scheduler.shutdownNow();
            scheduler.awaitTermination(10, TimeUnit.SECONDS);
        }
    }
}
