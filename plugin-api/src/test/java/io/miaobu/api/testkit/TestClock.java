package io.miaobu.api.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A {@link Clock} that stands still until the test moves it, for extensions that take the host's {@code Clock} in
 * their constructor (expiry, signatures with timestamps, backoff).
 *
 * <pre>{@code
 * var clock = TestClock.at(Instant.parse("2026-01-02T03:04:05Z"));
 * var notifier = new MyNotifier(http, clock);
 * clock.advance(Duration.ofMinutes(5));
 * }</pre>
 *
 * <p>UTC, like the host's clock. Thread-safe: the extension may read it from any thread while the test moves it.
 */
public final class TestClock extends Clock {

    private final AtomicReference<Instant> now;

    private TestClock(Instant start) {
        this.now = new AtomicReference<>(start);
    }

    /** A clock showing {@code start} until moved. */
    public static TestClock at(Instant start) {
        return new TestClock(start);
    }

    /** Moves the clock forward (or back, with a negative duration). */
    public void advance(Duration duration) {
        now.updateAndGet(instant -> instant.plus(duration));
    }

    /** Sets the clock to {@code instant}. */
    public void set(Instant instant) {
        now.set(instant);
    }

    @Override
    public Instant instant() {
        return now.get();
    }

    /** Always UTC. */
    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    /**
     * A fixed clock at this clock's current instant in {@code zone}; it does not follow later moves of this clock.
     */
    @Override
    public Clock withZone(ZoneId zone) {
        return Clock.fixed(instant(), zone);
    }
}
