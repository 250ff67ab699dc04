package io.miaobu.api.identity;

import io.miaobu.api.ExtensionException;
import io.miaobu.api.MiaobuExtension;
import java.net.URI;

/**
 * Signs users in through an external account (e.g. GitHub OAuth). Local accounts are the core's own.
 *
 * <p>Called on request threads. The host creates {@code state} and the PKCE pair, binds them to the browser session and
 * checks them on return; the provider builds the URLs and exchanges the code.
 *
 * <p>A {@link io.miaobu.api.source.SourceProvider} with the same {@link #id()} gets the signed-in user's
 * {@link ExternalIdentity#accessToken()} as its credential: for listing the user's repositories, and for the projects
 * the user imported (cloning, webhooks, commit statuses).
 */
public interface IdentityProvider extends MiaobuExtension {

    /** Where to send the browser to start signing in. */
    URI authorizationUri(AuthorizationRequest request);

    /**
     * Exchanges the code for the user's identity.
     *
     * @throws ExtensionException when the provider refuses the code or cannot be reached
     */
    ExternalIdentity complete(AuthorizationResponse response);
}
