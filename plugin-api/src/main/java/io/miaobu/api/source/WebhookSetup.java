package io.miaobu.api.source;

import io.miaobu.api.Secret;
import java.net.URI;
import java.util.Objects;

/**
 * What {@link SourceProvider#installWebhook} needs to register a webhook at the source host.
 *
 * @param repository  the project's repository, with the credential of the user who connected it
 * @param callbackUrl where the source host must deliver events: {@code <public URL>/hooks/<source id>/<project id>}
 * @param secret      the secret the source host signs deliveries with
 */
public record WebhookSetup(SourceRepository repository, URI callbackUrl, Secret secret) {

    public WebhookSetup {
        Objects.requireNonNull(repository, "repository");
        Objects.requireNonNull(callbackUrl, "callbackUrl");
        Objects.requireNonNull(secret, "secret");
    }
}
