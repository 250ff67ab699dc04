package io.miaobu.server.domain;

import io.miaobu.api.ExtensionException;
import io.miaobu.api.cdn.CdnProvider;
import io.miaobu.api.cdn.DomainBinding;
import io.miaobu.api.config.ConfigValues;
import io.miaobu.server.plugin.ExtensionRegistry;
import java.util.Optional;
import java.util.function.Function;

/**
 * The CDNs custom domains are bound at. A project's domains are served by the {@link CdnProvider} with the id of its
 * deploy target (the pairing {@code deploy.CdnRefresh} uses too), called with that provider's settings, which it
 * shares with the deploy target.
 */
public final class CdnDomains {

    /** No CDN: every domain is served by this server. */
    public static final CdnDomains NONE = new CdnDomains(id -> Optional.empty(), provider -> ConfigValues.EMPTY);

    private final Function<String, Optional<CdnProvider>> providers;
    private final Function<CdnProvider, ConfigValues> settings;

    public CdnDomains(ExtensionRegistry extensions, Function<CdnProvider, ConfigValues> settings) {
        this(id -> extensions.find(CdnProvider.class, id), settings);
    }

    /** @param providers the running CDN provider of an id */
    CdnDomains(Function<String, Optional<CdnProvider>> providers, Function<CdnProvider, ConfigValues> settings) {
        this.providers = providers;
        this.settings = settings;
    }

    /** The CDN serving the sites of a deploy target: its id, when a CDN provider of that id is running. */
    Optional<String> forDeployTarget(String deployTarget) {
        return deployTarget == null ? Optional.empty() : providers.apply(deployTarget).map(CdnProvider::id);
    }

    /** The CDN's name for people; its id when it is not running. */
    String displayName(String id) {
        return providers.apply(id).map(CdnProvider::displayName).orElse(id);
    }

    /** @throws ExtensionException when the CDN refuses, or is not running */
    DomainBinding bind(String id, String siteKey, String host) {
        CdnProvider cdn = running(id);
        return cdn.bindDomain(settings.apply(cdn), siteKey, host);
    }

    /** @throws ExtensionException when the CDN cannot say, or is not running */
    DomainBinding status(String id, String host) {
        CdnProvider cdn = running(id);
        return cdn.domainStatus(settings.apply(cdn), host);
    }

    /** @throws ExtensionException when the CDN refuses, or is not running */
    void unbind(String id, String host) {
        CdnProvider cdn = running(id);
        cdn.unbindDomain(settings.apply(cdn), host);
    }

    private CdnProvider running(String id) {
        return providers.apply(id).orElseThrow(() -> new ExtensionException("The CDN '" + id
                + "' is not running; an admin can start its plugin."));
    }
}
