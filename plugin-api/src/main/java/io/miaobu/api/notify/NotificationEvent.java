package io.miaobu.api.notify;

import java.time.Instant;

/**
 * Something worth telling people about. Delivered to notifiers only after the change it reports is committed.
 * New kinds may be added in minor versions: a notifier must handle unknown kinds with a generic message (use
 * {@link #summary()}), so switch with a default branch.
 */
public sealed interface NotificationEvent {

    /** When it happened. */
    Instant at();

    /** A one-line English summary, usable as a subject. */
    String summary();

    /** A deployment was queued. */
    record DeploymentQueued(Instant at, ProjectRef project, DeploymentRef deployment) implements NotificationEvent {
        public String summary() {
            return project.name() + ": deployment #" + deployment.id() + " queued";
        }
    }

    /** A deployment started building. */
    record DeploymentStarted(Instant at, ProjectRef project, DeploymentRef deployment) implements NotificationEvent {
        public String summary() {
            return project.name() + ": deployment #" + deployment.id() + " started";
        }
    }

    /** A deployment went live. */
    record DeploymentSucceeded(Instant at, ProjectRef project, DeploymentRef deployment)
            implements NotificationEvent {
        public String summary() {
            return project.name() + ": deployment #" + deployment.id() + " is live";
        }
    }

    /**
     * A deployment failed.
     *
     * @param reason the failure reason shown to users
     */
    record DeploymentFailed(Instant at, ProjectRef project, DeploymentRef deployment, String reason)
            implements NotificationEvent {
        public String summary() {
            return project.name() + ": deployment #" + deployment.id() + " failed";
        }
    }

    /** A deployment was cancelled. */
    record DeploymentCancelled(Instant at, ProjectRef project, DeploymentRef deployment)
            implements NotificationEvent {
        public String summary() {
            return project.name() + ": deployment #" + deployment.id() + " cancelled";
        }
    }

    /** The first failure after a success. */
    record DeploymentBroken(Instant at, ProjectRef project, DeploymentRef deployment, String reason)
            implements NotificationEvent {
        public String summary() {
            return project.name() + ": deployments are broken";
        }
    }

    /** The first success after a failure. */
    record DeploymentFixed(Instant at, ProjectRef project, DeploymentRef deployment) implements NotificationEvent {
        public String summary() {
            return project.name() + ": deployments are fixed";
        }
    }

    /** An older deployment was made live again. */
    record RolledBack(Instant at, ProjectRef project, DeploymentRef deployment, String byUser)
            implements NotificationEvent {
        public String summary() {
            return project.name() + ": rolled back to deployment #" + deployment.id();
        }
    }

    /** A preview deployment is live. */
    record PreviewReady(Instant at, ProjectRef project, DeploymentRef deployment) implements NotificationEvent {
        public String summary() {
            return project.name() + ": preview of " + deployment.branch() + " is ready";
        }
    }

    /** A preview was removed. */
    record PreviewRemoved(Instant at, ProjectRef project, String preview) implements NotificationEvent {
        public String summary() {
            return project.name() + ": preview " + preview + " removed";
        }
    }

    /** A certificate was issued or renewed. */
    record CertificateIssued(Instant at, String domain, Instant notAfter, boolean renewal)
            implements NotificationEvent {
        public String summary() {
            return "Certificate for " + domain + (renewal ? " renewed" : " issued");
        }
    }

    /** Renewing a certificate keeps failing and it expires soon. */
    record CertificateExpiring(Instant at, String domain, Instant notAfter, String lastError)
            implements NotificationEvent {
        public String summary() {
            return "Certificate for " + domain + " expires " + notAfter;
        }
    }

    /** A domain's ownership and DNS were verified, or the check failed. */
    record DomainChecked(Instant at, ProjectRef project, String domain, boolean verified, String reason)
            implements NotificationEvent {
        public String summary() {
            return "Domain " + domain + (verified ? " verified" : " failed verification");
        }
    }

    /** A plugin failed to load or start. */
    record PluginFailed(Instant at, String pluginId, String error) implements NotificationEvent {
        public String summary() {
            return "Plugin " + pluginId + " failed";
        }
    }
}
