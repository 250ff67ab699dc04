package io.miaobu.api.identity;

import io.miaobu.api.config.ConfigValues;
import java.net.URI;

/**
 * The start of an OAuth authorization-code flow.
 *
 * @param global        the provider's server-wide settings (client id and secret)
 * @param redirectUri   where the provider must send the browser back to
 * @param state         an unguessable value bound to the browser session; the host checks it on return
 * @param codeChallenge the PKCE S256 challenge of the verifier the host keeps
 */
public record AuthorizationRequest(ConfigValues global, URI redirectUri, String state, String codeChallenge) {
}
