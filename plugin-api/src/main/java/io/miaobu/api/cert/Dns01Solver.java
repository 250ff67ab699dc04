package io.miaobu.api.cert;

import java.time.Duration;

/**
 * Publishes ACME DNS-01 TXT records through a configured {@link io.miaobu.api.dns.DnsProvider}; provided by the host.
 * Thread-safe.
 */
public interface Dns01Solver {

    /**
     * Creates the TXT record {@code _acme-challenge.<domain>} with {@code digest} and waits until it is visible.
     *
     * @return an id to pass to {@link #remove}
     */
    String publish(String domain, String digest, Duration waitAtMost) throws InterruptedException;

    /** Deletes a record made by {@link #publish}. */
    void remove(String recordId);
}
