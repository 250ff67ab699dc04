package io.miaobu.api.deploy;

import io.miaobu.api.config.ConfigValues;
import io.miaobu.api.host.TaskLog;

/**
 * A published deployment of a site, as passed to {@link DeployTarget#activate} and {@link DeployTarget#delete}.
 *
 * @param siteKey         see {@link PublishContext#siteKey()}
 * @param deployment      the deployment as {@link DeployTarget#publish} returned it
 * @param globalSettings  the target's server-wide settings
 * @param projectSettings the target's settings for the project
 * @param log             where to report progress (the deployment's log, or a discarding log)
 */
public record SiteDeployment(String siteKey, PublishedDeployment deployment, ConfigValues globalSettings,
                             ConfigValues projectSettings, TaskLog log) {
}
