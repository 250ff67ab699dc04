package io.miaobu.server.identity;

import io.miaobu.api.config.ConfigField;
import io.miaobu.api.config.ConfigValues;
import io.miaobu.api.identity.IdentityProvider;
import io.miaobu.server.plugin.ExtensionRegistry;
import io.miaobu.server.plugin.ExtensionSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The installed identity providers, and which of them an admin has set up (every required setting filled in). */
public final class IdentityProviders {

    /** The extension point's name, as settings are stored under it. */
    public static final String POINT = "IdentityProvider";
    private static final Logger LOG = LoggerFactory.getLogger(IdentityProviders.class);

    /** A provider as the pages show it. */
    public record Offered(String id, String displayName) {
    }

    private final ExtensionRegistry extensions;
    private final ExtensionSettings settings;

    public IdentityProviders(ExtensionRegistry extensions, ExtensionSettings settings) {
        this.extensions = extensions;
        this.settings = settings;
    }

    public Optional<IdentityProvider> find(String id) {
        return extensions.find(IdentityProvider.class, id);
    }

    /** The provider's server-wide settings, secrets opened: what its calls receive. */
    public ConfigValues settingsOf(IdentityProvider provider) {
        return settings.valuesFor(POINT, provider);
    }

    /** Whether every setting the provider requires has a value. */
    public boolean isConfigured(IdentityProvider provider) {
        ConfigValues values = settingsOf(provider);
        for (ConfigField field : provider.globalSettings().fields()) {
            if (field.required() && (field.secret() ? values.secret(field.name()).isEmpty()
                    : values.get(field.name()).isEmpty())) {
                return false;
            }
        }
        return true;
    }

    /** The providers people can sign in with now; a provider whose plugin fails is left out, not the page. */
    public List<Offered> configured() {
        var offered = new ArrayList<Offered>();
        for (IdentityProvider provider : extensions.all(IdentityProvider.class)) {
            try {
                if (isConfigured(provider)) {
                    offered.add(new Offered(provider.id(), provider.displayName()));
                }
            } catch (RuntimeException e) {
                LOG.warn("Left identity provider {} off the sign-in page: {}", provider.getClass().getName(),
                        e.toString());
            }
        }
        return offered;
    }

    /** The display name of a provider, or its id when it is no longer installed. */
    public String displayName(String id) {
        try {
            return find(id).map(IdentityProvider::displayName).orElse(id);
        } catch (RuntimeException e) {
            return id;
        }
    }
}
