package io.miaobu.api.source;

import io.miaobu.api.Secret;
import io.miaobu.api.config.ConfigValues;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An HTTP request received at {@code /hooks/{sourceId}/{projectId}}, as it arrived.
 *
 * @param headers the request headers; names in lower case
 * @param body    the raw body; verify signatures over these exact bytes
 * @param secret  the project's webhook secret
 * @param global  the provider's server-wide settings
 * @param project the provider's settings for this project
 */
public record WebhookDelivery(Map<String, List<String>> headers, byte[] body, Secret secret, ConfigValues global,
                              ConfigValues project) {

    /** The first value of a header, by case-insensitive name. */
    public Optional<String> header(String name) {
        List<String> values = headers.get(name.toLowerCase(java.util.Locale.ROOT));
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }
}
