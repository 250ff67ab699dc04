package io.miaobu.server.ratelimit;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.EstimationProbe;
import io.github.bucket4j.TimeMeter;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Token buckets (bucket4j) in this process's memory, one per policy and key. Memory stays bounded under many client
 * addresses: a bucket idle for longer than its policy's period is full again and is dropped (losing nothing), at most
 * once a minute and whenever the map is full; if it is still full then, the least recently used buckets go, which
 * forgives those clients their partial use. Thread-safe; called on request threads.
 */
public final class LocalRateLimits implements RateLimits {

    /** Far more clients than one instance serves in a minute, and still a few tens of megabytes at most. */
    public static final int DEFAULT_MAX_BUCKETS = 100_000;
    private static final long SWEEP_INTERVAL_NANOS = 60_000_000_000L;

    private final TimeMeter time;
    private final int maxBuckets;
    private final Map<String, Entry> buckets = new ConcurrentHashMap<>();
    private final AtomicLong lastSweep;

    /** @param clock the time buckets refill by; tests pass one they can advance */
    public LocalRateLimits(Clock clock) {
        this(clock, DEFAULT_MAX_BUCKETS);
    }

    /**
     * @param clock      the time buckets refill by; tests pass one they can advance
     * @param maxBuckets how many buckets to keep at most
     * @throws IllegalArgumentException when {@code maxBuckets} is below 1
     */
    public LocalRateLimits(Clock clock, int maxBuckets) {
        if (maxBuckets < 1) {
            throw new IllegalArgumentException("maxBuckets must be at least 1, not " + maxBuckets);
        }
        this.time = new ClockTimeMeter(clock);
        this.maxBuckets = maxBuckets;
        this.lastSweep = new AtomicLong(time.currentTimeNanos());
    }

    @Override
    public Decision tryConsume(RateLimitPolicy policy, String key) {
        long now = time.currentTimeNanos();
        sweepIfDue(now);
        String id = id(policy, key);
        Entry entry = buckets.get(id);
        if (entry == null) {
            makeRoom(now);
            entry = buckets.computeIfAbsent(id, k -> new Entry(newBucket(policy), policy.period().toNanos(), now));
        }
        entry.lastUsed = now;
        ConsumptionProbe probe = entry.bucket.tryConsumeAndReturnRemaining(1);
        return probe.isConsumed() ? Decision.ALLOWED : Decision.refused(probe.getNanosToWaitForRefill());
    }

    @Override
    public Decision peek(RateLimitPolicy policy, String key) {
        Entry entry = buckets.get(id(policy, key));
        if (entry == null) {
            return Decision.ALLOWED;
        }
        EstimationProbe probe = entry.bucket.estimateAbilityToConsume(1);
        return probe.canBeConsumed() ? Decision.ALLOWED : Decision.refused(probe.getNanosToWaitForRefill());
    }

    private static String id(RateLimitPolicy policy, String key) {
        return policy.name() + '\u0000' + key;
    }

    /** How many buckets are kept now. */
    int size() {
        return buckets.size();
    }

    private Bucket newBucket(RateLimitPolicy policy) {
        return Bucket.builder()
                .addLimit(limit -> limit.capacity(policy.capacity()).refillGreedy(policy.capacity(), policy.period()))
                .withCustomTimePrecision(time)
                .build();
    }

    private void sweepIfDue(long now) {
        long last = lastSweep.get();
        if (now - last >= SWEEP_INTERVAL_NANOS && lastSweep.compareAndSet(last, now)) {
            dropIdle(now);
        }
    }

    private void makeRoom(long now) {
        if (buckets.size() < maxBuckets) {
            return;
        }
        synchronized (this) {
            if (buckets.size() < maxBuckets) {
                return;
            }
            dropIdle(now);
            if (buckets.size() < maxBuckets) {
                return;
            }
            // Free a tenth at once, so that a flood of new addresses sorts the map once per many requests.
            int target = maxBuckets - Math.max(1, maxBuckets / 10);
            List<Map.Entry<String, Entry>> all = new ArrayList<>(buckets.entrySet());
            all.sort(Comparator.comparingLong(e -> e.getValue().lastUsed));
            for (int i = 0; i < all.size() && buckets.size() > target; i++) {
                buckets.remove(all.get(i).getKey(), all.get(i).getValue());
            }
        }
    }

    private void dropIdle(long now) {
        buckets.entrySet().removeIf(e -> now - e.getValue().lastUsed > e.getValue().periodNanos);
    }

    private static final class Entry {
        final Bucket bucket;
        final long periodNanos;
        volatile long lastUsed;

        Entry(Bucket bucket, long periodNanos, long lastUsed) {
            this.bucket = bucket;
            this.periodNanos = periodNanos;
            this.lastUsed = lastUsed;
        }
    }

    /** Bucket4j's clock, read from a {@link Clock} so that tests can move time without sleeping. */
    private record ClockTimeMeter(Clock clock) implements TimeMeter {

        @Override
        public long currentTimeNanos() {
            Instant now = clock.instant();
            return now.getEpochSecond() * 1_000_000_000L + now.getNano();
        }

        @Override
        public boolean isWallClockBased() {
            return true;
        }
    }
}
