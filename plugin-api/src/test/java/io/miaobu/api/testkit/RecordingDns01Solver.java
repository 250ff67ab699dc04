package io.miaobu.api.testkit;

import io.miaobu.api.cert.Dns01Solver;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link Dns01Solver} for testing a {@link io.miaobu.api.cert.CertificateIssuer}: it keeps the TXT records it was
 * asked to publish in memory, and they are "visible" at once.
 *
 * <pre>{@code
 * var dns01 = new RecordingDns01Solver();
 * var order = new CertificateOrder(List.of("*.example.com"), null, dns01, settings, log);
 * issuer.issue(order);
 * assertThat(dns01.records()).isEmpty();                     // cleaned up
 * assertThat(dns01.everPublished()).extracting(TxtRecord::name).containsExactly("_acme-challenge.example.com");
 * }</pre>
 *
 * <p>The record's name is {@code _acme-challenge.<domain>}, with a leading {@code *.} of a wildcard domain dropped, as
 * ACME asks. Ids are {@code txt-1}, {@code txt-2}, ... Thread-safe.
 */
public final class RecordingDns01Solver implements Dns01Solver {

    /**
     * A published TXT record.
     *
     * @param id         what {@link #publish} returned
     * @param name       {@code _acme-challenge.<domain>}
     * @param value      the digest
     * @param waitAtMost how long the caller allowed for it to become visible
     */
    public record TxtRecord(String id, String name, String value, Duration waitAtMost) {
    }

    private final AtomicInteger ids = new AtomicInteger();
    private final Map<String, TxtRecord> records = new ConcurrentHashMap<>();
    private final List<TxtRecord> everPublished = new CopyOnWriteArrayList<>();

    /** An empty solver. */
    public RecordingDns01Solver() {
    }

    /**
     * Keeps the record and returns its id at once.
     *
     * @throws InterruptedException when the calling thread is interrupted, as the host's solver would while waiting
     */
    @Override
    public String publish(String domain, String digest, Duration waitAtMost) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException("interrupted before publishing the record for " + domain);
        }
        String name = "_acme-challenge." + (domain.startsWith("*.") ? domain.substring(2) : domain);
        TxtRecord record = new TxtRecord("txt-" + ids.incrementAndGet(), name, Objects.requireNonNull(digest),
                waitAtMost);
        records.put(record.id(), record);
        everPublished.add(record);
        return record.id();
    }

    /** Removes the record; removing one that is gone does nothing. */
    @Override
    public void remove(String recordId) {
        records.remove(recordId);
    }

    /** The records published and not removed. */
    public List<TxtRecord> records() {
        return everPublished.stream().filter(r -> records.containsKey(r.id())).toList();
    }

    /** Every record ever published, removed or not, in order. */
    public List<TxtRecord> everPublished() {
        return List.copyOf(everPublished);
    }
}
