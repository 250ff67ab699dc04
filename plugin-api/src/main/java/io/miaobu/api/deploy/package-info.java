/** Publishing build output as immutable deployments and switching which one is live: {@link io.miaobu.api.deploy.DeployTarget}. */
package io.miaobu.api.deploy;
