package io.miaobu.api.deploy;

import io.miaobu.api.ExtensionException;
import io.miaobu.api.MiaobuExtension;

/**
 * Where sites are published: local disk, an object store behind a CDN, ...
 *
 * <p>Each deployment is published once as an immutable copy ({@link #publish}); going live is a separate, atomic
 * switch of a pointer ({@link #activate}) so that a visitor sees either the old or the new deployment, never a mix,
 * and rollback is the same switch to an older copy, without re-uploading. Called on build threads (publish, activate),
 * on request threads (activate for rollback) and on the host's retention thread (delete). The host never activates two
 * deployments of one site at once.
 */
public interface DeployTarget extends MiaobuExtension {

    /**
     * Publishes the build output as a new immutable deployment; nothing becomes live.
     *
     * @throws ExtensionException   when publishing fails; whatever was partly written is not live and may be
     *                              cleaned up by {@link #delete}
     * @throws InterruptedException when the build is cancelled
     */
    PublishedDeployment publish(PublishContext context) throws InterruptedException;

    /**
     * Makes this deployment the live one of its site, atomically.
     *
     * @throws ExtensionException when the switch failed; the previously live deployment is still live
     */
    ActivationResult activate(SiteDeployment deployment);

    /**
     * Removes a deployment that is not live. Removing one that is already gone succeeds. The host calls it when its
     * retention policy purges an old deployment; by then the deployment is marked purged and is never activated
     * again, and after a failure the host calls it again later.
     *
     * @throws ExtensionException when it is live, or the storage refuses
     */
    void delete(SiteDeployment deployment);

    /**
     * Removes a site with every deployment of it, live or not, because its project is being deleted: afterwards the
     * site is no longer served and nothing of it remains in storage. Removing a site that is gone succeeds. Called on a
     * request thread.
     *
     * @param siteKey         see {@link PublishContext#siteKey()}; previews below it ({@code <slug>/…}) go too
     * @param globalSettings  the target's server-wide settings
     * @param projectSettings the target's settings for the project
     * @throws ExtensionException when the storage refuses; the default refuses, for targets that cannot remove sites
     */
    default void removeSite(String siteKey, io.miaobu.api.config.ConfigValues globalSettings,
                            io.miaobu.api.config.ConfigValues projectSettings) {
        throw new ExtensionException(displayName() + " cannot remove sites; remove " + siteKey + " by hand.");
    }

    /**
     * Makes this deployment the one served under a preview host label ({@code 42--my-site} for pull request 42,
     * {@code feature-x--my-site} for a branch), atomically, without touching the site's live deployment. Rollback of
     * a preview is the same call with an older deployment.
     *
     * <p>The default does nothing: the host's built-in site server already routes preview hosts to each deployment's
     * own location, which is right for targets whose published copies can be served in place (local storage). A
     * target behind a CDN switches its per-host pointer here.
     *
     * @param deployment the deployment, {@link SiteDeployment#siteKey()} being the project's site
     * @param label      the preview's host label, {@code <preview>--<site>}
     * @throws ExtensionException when the switch failed; the preview's previous deployment is still served
     */
    default ActivationResult activatePreview(SiteDeployment deployment, String label) {
        return ActivationResult.NOTHING_TO_PURGE;
    }

    /**
     * Stops serving a preview host label (its pull request was closed or its branch deleted). The deployments stay
     * until the host's retention deletes them. Removing one that is gone succeeds. The default does nothing.
     *
     * @param siteKey         the project's site
     * @param label           the preview's host label
     * @param globalSettings  the target's server-wide settings
     * @param projectSettings the target's settings for the project
     */
    default void removePreview(String siteKey, String label, io.miaobu.api.config.ConfigValues globalSettings,
                               io.miaobu.api.config.ConfigValues projectSettings) {
    }
}
