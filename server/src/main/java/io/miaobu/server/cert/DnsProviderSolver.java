package io.miaobu.server.cert;

import io.miaobu.api.cert.Dns01Solver;
import io.miaobu.api.config.ConfigValues;
import io.miaobu.api.dns.DnsProvider;
import io.miaobu.api.dns.DnsRecord;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The core's {@link Dns01Solver} for one order: publishes {@code _acme-challenge} TXT records through the
 * {@link DnsProvider} that manages the domain's zone, and waits until the DNS host has them in effect.
 */
final class DnsProviderSolver implements Dns01Solver {

    private static final Logger LOG = LoggerFactory.getLogger(DnsProviderSolver.class);
    /** The shortest TTL most DNS hosts accept; the record lives minutes. */
    static final int TTL_SECONDS = 600;

    private final DnsProvider provider;
    private final ConfigValues settings;
    private final Map<String, DnsRecord> published = new ConcurrentHashMap<>();

    DnsProviderSolver(DnsProvider provider, ConfigValues settings) {
        this.provider = provider;
        this.settings = settings;
    }

    @Override
    public String publish(String domain, String digest, Duration waitAtMost) throws InterruptedException {
        String name = "_acme-challenge." + (domain.startsWith("*.") ? domain.substring(2) : domain);
        var record = new DnsRecord(name, "TXT", digest, TTL_SECONDS);
        String id = provider.createRecord(settings, record);
        published.put(id, record);
        LOG.info("Published {} TXT through {}; waiting for it to be in effect", name, provider.id());
        provider.awaitVisible(settings, id, record, waitAtMost);
        return id;
    }

    @Override
    public void remove(String recordId) {
        DnsRecord record = published.remove(recordId);
        try {
            provider.deleteRecord(settings, recordId);
        } catch (RuntimeException e) {
            LOG.warn("Could not delete the DNS-01 record {} ({}) through {}: {}", recordId,
                    record == null ? "?" : record.name(), provider.id(), e.getMessage());
        }
    }
}
