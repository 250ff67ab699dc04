package io.miaobu.server.deploy;

import io.miaobu.api.cdn.CdnProvider;
import io.miaobu.api.cdn.DomainBinding;
import io.miaobu.api.cdn.PurgeTask;
import io.miaobu.api.cert.CertificateBundle;
import io.miaobu.api.config.ConfigValues;
import java.util.Collection;

/**
 * A {@link CdnProvider} for tests whose every CDN operation fails loudly: a test's CDN overrides only the operations
 * it means to be called, so a call it did not expect shows up as an error instead of passing silently.
 */
public abstract class UnusedCdnProvider implements CdnProvider {

    @Override
    public DomainBinding bindDomain(ConfigValues global, String siteKey, String domain) {
        throw new UnsupportedOperationException("bindDomain is not used by this test");
    }

    @Override
    public DomainBinding domainStatus(ConfigValues global, String domain) {
        throw new UnsupportedOperationException("domainStatus is not used by this test");
    }

    @Override
    public void unbindDomain(ConfigValues global, String domain) {
        throw new UnsupportedOperationException("unbindDomain is not used by this test");
    }

    @Override
    public PurgeTask purge(ConfigValues global, Collection<String> urls) {
        throw new UnsupportedOperationException("purge is not used by this test");
    }

    @Override
    public PurgeTask purgeStatus(ConfigValues global, String taskId) {
        throw new UnsupportedOperationException("purgeStatus is not used by this test");
    }

    @Override
    public void installCertificate(ConfigValues global, String domain, CertificateBundle certificate) {
        throw new UnsupportedOperationException("installCertificate is not used by this test");
    }
}
