package io.miaobu.api.dns;

import io.miaobu.api.ExtensionException;
import io.miaobu.api.MiaobuExtension;
import io.miaobu.api.config.ConfigValues;
import java.time.Duration;

/**
 * Creates and deletes records at a DNS host (for ACME DNS-01, ownership checks and CNAME setup). Called on background
 * and request threads.
 */
public interface DnsProvider extends MiaobuExtension {

    /**
     * Whether this provider's account hosts the zone of {@code domain}.
     */
    boolean manages(ConfigValues global, String domain);

    /**
     * Creates a record.
     *
     * @return the DNS host's id of the record, for {@link #deleteRecord}
     * @throws ExtensionException when the DNS host refuses
     */
    String createRecord(ConfigValues global, DnsRecord record);

    /** Deletes a record; deleting one that is gone succeeds. */
    void deleteRecord(ConfigValues global, String recordId);

    /**
     * Waits until a record made by {@link #createRecord} is in effect at the DNS host, so an ACME server or an
     * ownership check that looks it up finds it. Called by the host right after {@code createRecord}, on the same
     * background thread (for DNS-01 by its {@link io.miaobu.api.cert.Dns01Solver}); it blocks, polling the DNS host,
     * for at most {@code waitAtMost}. Resolvers that cached the name's absence may still answer from their cache
     * until its negative TTL ends; that is beyond what a provider can wait for. Nothing is persisted.
     *
     * <p>The default returns at once, for DNS hosts whose records are live when {@code createRecord} returns.
     *
     * @param recordId what {@code createRecord} returned
     * @param record   the record as it was created
     * @throws ExtensionException   when the record is not in effect by the deadline, or the DNS host refuses
     * @throws InterruptedException when the thread is interrupted (the operation was cancelled)
     */
    default void awaitVisible(ConfigValues global, String recordId, DnsRecord record, Duration waitAtMost)
            throws InterruptedException {
    }
}
