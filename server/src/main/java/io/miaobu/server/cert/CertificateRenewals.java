package io.miaobu.server.cert;

import io.miaobu.server.boot.Managed;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The renewal scheduler: runs {@link CertificateService#runOnce()} every {@code interval} on a thread of its own, and
 * soon after {@link CertificateService#wake()}. The schedule itself lives in the database ({@code renew_after}), so it
 * survives restarts and any node of a cluster can act on it.
 */
public final class CertificateRenewals implements Managed {

    private static final Logger LOG = LoggerFactory.getLogger(CertificateRenewals.class);

    private final CertificateService certificates;
    private final Duration interval;
    private final AtomicBoolean wakeQueued = new AtomicBoolean();
    private ScheduledExecutorService thread;

    public CertificateRenewals(CertificateService certificates, Duration interval) {
        this.certificates = certificates;
        this.interval = interval;
    }

    @Override
    public synchronized void start() {
        thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "certificates");
            t.setDaemon(true);
            return t;
        });
        thread.scheduleWithFixedDelay(this::run, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        certificates.onWake(() -> {
            if (wakeQueued.compareAndSet(false, true)) {
                thread.execute(() -> {
                    wakeQueued.set(false);
                    run();
                });
            }
        });
    }

    private void run() {
        try {
            certificates.runOnce();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.warn("The certificate round failed; trying again in {}", interval, e);
        }
    }

    @Override
    public synchronized void stop() throws InterruptedException {
        certificates.onWake(() -> { });
        if (thread != null) {
            thread.shutdownNow();
            thread.awaitTermination(10, TimeUnit.SECONDS);
        }
    }
}
