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

    /**
     * Refreshes the paths that changed when a site (or a preview of it) went live, on every CDN domain this provider
     * serves it on, so that visitors get the new files before the old ones' cache time runs out. Called by the host on
     * the build thread right after go-live (and after a rollback), with the {@link
     * io.miaobu.api.deploy.ActivationResult#changedPaths()} of the {@code DeployTarget} of the same id; the host then
     * follows the task with {@link #purgeStatus}. A failure is reported in the deployment's log and does not undo the
     * go-live.
     *
     * @param global    the provider's settings
     * @param hostLabel the site's host label: its key, or {@code <label>--<site>} for a preview
     * @param paths     absolute paths ({@code /}, {@code /index.html}, {@code /assets/app.1a2b.js})
     * @return the refresh task; empty when this CDN does not serve the site (the default)
     * @throws io.miaobu.api.ExtensionException when the CDN refuses
     */
    default java.util.Optional<PurgeTask> refreshPaths(ConfigValues global, String hostLabel,
                                                        Collection<String> paths) {
        return java.util.Optional.empty();
    }
}
