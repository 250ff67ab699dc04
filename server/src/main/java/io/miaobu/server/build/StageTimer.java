package io.miaobu.server.build;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Interrupts the build thread when a stage that has no timeout of its own (checkout, publish) runs too long. The
 * extension sees an interruption, as on cancel; {@link #expired()} tells the two apart.
 */
final class StageTimer implements AutoCloseable {

    private final AtomicBoolean expired = new AtomicBoolean();
    private final ScheduledFuture<?> alarm;

    StageTimer(ScheduledExecutorService scheduler, Duration limit, Thread buildThread) {
        this.alarm = scheduler.schedule(() -> {
            expired.set(true);
            buildThread.interrupt();
        }, limit.toMillis(), TimeUnit.MILLISECONDS);
    }

    boolean expired() {
        return expired.get();
    }

    @Override
    public void close() {
        alarm.cancel(false);
    }
}
