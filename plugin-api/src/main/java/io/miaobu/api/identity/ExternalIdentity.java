package io.miaobu.api.identity;

import io.miaobu.api.Secret;

/**
 * A user as the external provider knows them.
 *
 * @param externalId  the provider's stable user id (not the login, which can change)
 * @param login       the login name, proposed as the Miaobu user name
 * @param displayName the full name, or an empty string
 * @param email       the primary verified email, or an empty string
 * @param accessToken the token to act for the user (stored encrypted by the host), or {@code null}
 */
public record ExternalIdentity(String externalId, String login, String displayName, String email,
                               Secret accessToken) {
}
