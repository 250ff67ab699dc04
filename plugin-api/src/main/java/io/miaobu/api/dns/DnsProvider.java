package io.miaobu.api.dns;

import io.miaobu.api.ExtensionException;
import io.miaobu.api.MiaobuExtension;
import io.miaobu.api.config.ConfigValues;

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
}
