package io.miaobu.api.notify;

import java.net.URI;

/**
 * The deployment an event concerns.
 *
 * @param id        Miaobu's id
 * @param branch    the branch built
 * @param commitSha the commit built, or an empty string when not yet resolved
 * @param page      the deployment's page in Miaobu (with its log)
 * @param siteUrl   where the deployment is served, or {@code null} when it is not
 */
public record DeploymentRef(long id, String branch, String commitSha, URI page, URI siteUrl) {
}
