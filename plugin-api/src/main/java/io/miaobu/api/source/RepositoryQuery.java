package io.miaobu.api.source;

import io.miaobu.api.Secret;
import io.miaobu.api.config.ConfigValues;

/**
 * A page of the repositories a user can import.
 *
 * @param global     the provider's server-wide settings
 * @param credential the signed-in user's token at the source host, or {@code null}
 * @param search     text the name must contain; empty for all
 * @param page       1-based page number
 * @param perPage    page size, at most 100
 */
public record RepositoryQuery(ConfigValues global, Secret credential, String search, int page, int perPage) {
}
