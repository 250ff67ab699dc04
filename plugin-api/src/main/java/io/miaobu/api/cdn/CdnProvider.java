package io.miaobu.api.cdn;

import io.miaobu.api.ExtensionException;
import io.miaobu.api.MiaobuExtension;
import io.miaobu.api.cert.CertificateBundle;
import io.miaobu.api.config.ConfigValues;
import java.util.Collection;

/**
 * A CDN serving sites: binds domains, purges caches after go-live, installs certificates. Called on background and
 * request threads; every method may throw {@link ExtensionException} with the CDN's reason in words.
 */
public interface CdnProvider extends MiaobuExtension {

    /** Adds a domain to the CDN for a site. */
    DomainBinding bindDomain(ConfigValues global, String siteKey, String domain);

    /** The domain's current state. */
    DomainBinding domainStatus(ConfigValues global, String domain);

    /** Removes a domain; removing one that is gone succeeds. */
    void unbindDomain(ConfigValues global, String domain);

    /** Purges the given URLs (absolute, with scheme and host). */
    PurgeTask purge(ConfigValues global, Collection<String> urls);

    /** A purge's current state. */
    PurgeTask purgeStatus(ConfigValues global, String taskId);

    /** Installs (or replaces) the certificate served for {@code domain}. */
    void installCertificate(ConfigValues global, String domain, CertificateBundle certificate);
}
