package io.miaobu.server.domain;

import io.miaobu.server.boot.Managed;
import io.miaobu.server.boot.PeriodicTask;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Checks every custom domain again every {@code domains.check.interval}, on a thread of its own. */
public final class DomainCheckSchedule implements Managed {

    private static final Logger LOG = LoggerFactory.getLogger(DomainCheckSchedule.class);

    private final CustomDomains domains;
    private final PeriodicTask schedule;

    public DomainCheckSchedule(CustomDomains domains, Duration interval) {
        this.domains = domains;
        this.schedule = new PeriodicTask("domain-checks", interval, () -> checkAll());
    }

    @Override
    public void start() {
        schedule.start();
    }

    @Override
    public void stop() throws InterruptedException {
        schedule.stop();
    }

    private void checkAll() {
        int checked = domains.checkAll();
        domains.loadRoutes();
        LOG.debug("Checked {} custom domains", checked);
    }
}
