package io.miaobu.api.notify;

import java.time.Instant;

/**
 * Something worth telling people about. Delivered to notifiers only after the change it reports is committed.
 * New kinds may be added in minor versions: a notifier must handle unknown kinds with a generic message (use
 * {@link #summary()}), so switch with a default branch.
 *
 * <p>Each event has a stable {@link #kind()} (e.g. {@code deployment.failed}): subscriptions name kinds, webhooks
 * carry it as their {@code event} field, and it never changes once released.
 */
public sealed interface NotificationEvent {

    /** When it happened. */
    Instant at();

    /** The stable name of this kind of event, e.g. {@code deployment.failed}; see {@link EventKind}. */
    EventKind kind();

    /** A one-line English summary, usable as a subject. */
    String summary();

    /** The project it concerns, or {@code null} for server events (plugins, certificates of no project). */
    default ProjectRef project() {
        return null;
    }

    /** The deployment it concerns, or {@code null}. */
    default DeploymentRef deployment() {
        return null;
    }

    /** A deployment was queued. */
    record DeploymentQueued(Instant at, ProjectRef project, DeploymentRef deployment) implements NotificationEvent {
        public EventKind kind() {
            return EventKind.DEPLOYMENT_QUEUED;
        }

        public String summary() {
            return project.name() + ": deployment #" + deployment.id() + " queued";
        }
    }

    /** A deployment started building. */
    record DeploymentStarted(Instant at, ProjectRef project, DeploymentRef deployment) implements NotificationEvent {
        public EventKind kind() {
            return EventKind.DEPLOYMENT_STARTED;
        }

        public String summary() {
            return project.name() + ": deployment #" + deployment.id() + " started";
        }
    }

    /** A deployment went live. */
    record DeploymentSucceeded(Instant at, ProjectRef project, DeploymentRef deployment)
            implements NotificationEvent {
        public EventKind kind() {
            return EventKind.DEPLOYMENT_SUCCEEDED;
        }

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
        public EventKind kind() {
            return EventKind.DEPLOYMENT_FAILED;
        }

        public String summary() {
            return project.name() + ": deployment #" + deployment.id() + " failed";
        }
    }

    /**
     * A deployment was cancelled.
     *
     * @param reason who or what cancelled it ("Cancelled by alice.", "Superseded by deployment #12.")
     */
    record DeploymentCancelled(Instant at, ProjectRef project, DeploymentRef deployment, String reason)
            implements NotificationEvent {
        public EventKind kind() {
            return EventKind.DEPLOYMENT_CANCELLED;
        }

        public String summary() {
            return project.name() + ": deployment #" + deployment.id() + " cancelled";
        }
    }

    /** The first failure after a success (sent besides {@link DeploymentFailed}). */
    record DeploymentBroken(Instant at, ProjectRef project, DeploymentRef deployment, String reason)
            implements NotificationEvent {
        public EventKind kind() {
            return EventKind.DEPLOYMENT_BROKEN;
        }

        public String summary() {
            return project.name() + ": deployments are broken (#" + deployment.id() + " failed)";
        }
    }

    /** The first success after a failure (sent besides {@link DeploymentSucceeded}). */
    record DeploymentFixed(Instant at, ProjectRef project, DeploymentRef deployment) implements NotificationEvent {
        public EventKind kind() {
            return EventKind.DEPLOYMENT_FIXED;
        }

        public String summary() {
            return project.name() + ": deployments are fixed (#" + deployment.id() + " is live)";
        }
    }

    /**
     * An older deployment was made live again.
     *
     * @param byUser who did it
     */
    record RolledBack(Instant at, ProjectRef project, DeploymentRef deployment, String byUser)
            implements NotificationEvent {
        public EventKind kind() {
            return EventKind.ROLLED_BACK;
        }

        public String summary() {
            return project.name() + ": rolled back to deployment #" + deployment.id();
        }
    }

    /** A preview deployment is live. */
    record PreviewReady(Instant at, ProjectRef project, DeploymentRef deployment) implements NotificationEvent {
        public EventKind kind() {
            return EventKind.PREVIEW_READY;
        }

        public String summary() {
            return project.name() + ": preview of " + deployment.branch() + " is ready";
        }
    }

    /**
     * A preview was removed.
     *
     * @param preview which one ({@code pr-12}, a branch name)
     */
    record PreviewRemoved(Instant at, ProjectRef project, String preview) implements NotificationEvent {
        public EventKind kind() {
            return EventKind.PREVIEW_REMOVED;
        }

        public String summary() {
            return project.name() + ": preview " + preview + " removed";
        }
    }

    /**
     * A certificate was issued or renewed.
     *
     * @param project the project whose domain it is, or {@code null}
     */
    record CertificateIssued(Instant at, ProjectRef project, String domain, Instant notAfter, boolean renewal)
            implements NotificationEvent {
        public EventKind kind() {
            return renewal ? EventKind.CERTIFICATE_RENEWED : EventKind.CERTIFICATE_ISSUED;
        }

        public String summary() {
            return "Certificate for " + domain + (renewal ? " renewed" : " issued") + ", valid until " + notAfter;
        }
    }

    /**
     * Renewing a certificate failed; it is retried with backoff.
     *
     * @param project the project whose domain it is, or {@code null}
     * @param error   the CA's or the checker's explanation
     */
    record CertificateRenewalFailing(Instant at, ProjectRef project, String domain, Instant notAfter, String error)
            implements NotificationEvent {
        public EventKind kind() {
            return EventKind.CERTIFICATE_RENEWAL_FAILING;
        }

        public String summary() {
            return "Renewing the certificate for " + domain + " failed";
        }
    }

    /**
     * Renewing a certificate keeps failing and it expires soon (sent 21, 7 and 1 days before).
     *
     * @param project   the project whose domain it is, or {@code null}
     * @param lastError why the last renewal failed
     */
    record CertificateExpiring(Instant at, ProjectRef project, String domain, Instant notAfter, String lastError)
            implements NotificationEvent {
        public EventKind kind() {
            return EventKind.CERTIFICATE_EXPIRING;
        }

        public String summary() {
            return "Certificate for " + domain + " expires " + notAfter;
        }
    }

    /** A domain's ownership and DNS were verified, or the check failed. */
    record DomainChecked(Instant at, ProjectRef project, String domain, boolean verified, String reason)
            implements NotificationEvent {
        public EventKind kind() {
            return verified ? EventKind.DOMAIN_VERIFIED : EventKind.DOMAIN_FAILED;
        }

        public String summary() {
            return "Domain " + domain + (verified ? " verified" : " failed verification");
        }
    }

    /** A plugin failed to load or start. */
    record PluginFailed(Instant at, String pluginId, String error) implements NotificationEvent {
        public EventKind kind() {
            return EventKind.PLUGIN_FAILED;
        }

        public String summary() {
            return "Plugin " + pluginId + " failed";
        }
    }

    /**
     * Sent by the "Send test" button of a channel, to check its settings; never stored or retried.
     *
     * @param requestedBy who pressed it
     */
    record Test(Instant at, String requestedBy) implements NotificationEvent {
        public EventKind kind() {
            return EventKind.TEST;
        }

        public String summary() {
            return "Test notification from Miaobu";
        }
    }
}
