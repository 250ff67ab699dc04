package io.miaobu.api.notify;

import java.net.URI;

/**
 * The project an event concerns.
 *
 * @param id   Miaobu's id
 * @param slug the slug
 * @param name the display name
 * @param page the project's page in Miaobu
 */
public record ProjectRef(long id, String slug, String name, URI page) {
}
