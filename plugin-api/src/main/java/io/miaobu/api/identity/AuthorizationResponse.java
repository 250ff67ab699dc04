package io.miaobu.api.identity;

import io.miaobu.api.config.ConfigValues;
import java.net.URI;

/**
 * The browser's return from the provider, after the host checked {@code state}.
 *
 * @param global       the provider's server-wide settings
 * @param redirectUri  the redirect URI used in the request
 * @param code         the authorization code
 * @param codeVerifier the PKCE verifier
 */
public record AuthorizationResponse(ConfigValues global, URI redirectUri, String code, String codeVerifier) {
}
