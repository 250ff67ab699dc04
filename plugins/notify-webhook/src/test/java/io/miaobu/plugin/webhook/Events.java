package io.miaobu.plugin.webhook;

import io.miaobu.api.Secret;
import io.miaobu.api.config.ConfigValues;
import io.miaobu.api.notify.DeploymentRef;
import io.miaobu.api.notify.NotificationContext;
import io.miaobu.api.notify.ProjectRef;
import java.net.URI;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Sample events and channels. */
final class Events {

    static final Instant AT = Instant.parse("2025-03-01T12:00:00Z");
    static final String DELIVERY = "dlv_01HQ7Z3K9ZP4";
    static final String SECRET = "mb-test-secret-ZQ3xWf0r_Hk";

    static final ProjectRef PROJECT = new ProjectRef(7, "shop", "Shop",
            URI.create("https://miaobu.example.com/projects/shop"));
    static final DeploymentRef DEPLOYMENT = new DeploymentRef(42, "main", "0123456789abcdef0123456789abcdef01234567",
            URI.create("https://miaobu.example.com/projects/shop/deployments/42"),
            URI.create("https://shop.example.com/"));

    private Events() {
    }

    /** A channel with these settings; {@code secret} may be null for none. */
    static NotificationContext channel(String url, String format, String secret) {
        return channel(url, format, secret, DELIVERY, 1);
    }

    static NotificationContext channel(String url, String format, String secret, String deliveryId, int attempt) {
        var plain = new HashMap<String, String>();
        plain.put("url", url);
        plain.put("format", format);
        Map<String, Secret> secrets = secret == null ? Map.of() : Map.of("secret", Secret.of(secret));
        return new NotificationContext(ConfigValues.EMPTY, ConfigValues.of(plain, secrets), List.of(), deliveryId,
                attempt);
    }
}
