package io.miaobu.plugin.webhook;

import io.miaobu.api.notify.DeploymentRef;
import io.miaobu.api.notify.NotificationEvent;
import io.miaobu.api.notify.NotificationEvent.CertificateExpiring;
import io.miaobu.api.notify.NotificationEvent.CertificateIssued;
import io.miaobu.api.notify.NotificationEvent.CertificateRenewalFailing;
import io.miaobu.api.notify.NotificationEvent.DeploymentBroken;
import io.miaobu.api.notify.NotificationEvent.DeploymentCancelled;
import io.miaobu.api.notify.NotificationEvent.DeploymentFailed;
import io.miaobu.api.notify.NotificationEvent.DomainChecked;
import io.miaobu.api.notify.NotificationEvent.PluginFailed;
import io.miaobu.api.notify.NotificationEvent.RolledBack;
import io.miaobu.api.notify.NotificationEvent.Test;
import io.miaobu.api.notify.ProjectRef;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * An event as a short chat message, before a service's markup: a title, a few lines of detail, links, and a footer
 * naming Miaobu and the event (so a DingTalk or Feishu bot guarded by the keyword "Miaobu" accepts it).
 *
 * @param title   the event's summary
 * @param details plain-text lines, each at most {@link #MAX_DETAIL} characters
 * @param links   links to Miaobu's pages and the site
 * @param footer  {@code Miaobu · <event>}
 */
record ChatMessage(String title, List<String> details, List<Link> links, String footer) {

    /** Chat services cap message sizes (DingTalk at 20,000 bytes); a build error is cut well before that. */
    static final int MAX_DETAIL = 500;

    /** A link with its label. */
    record Link(String label, URI url) {
    }

    static ChatMessage of(NotificationEvent event) {
        var details = new ArrayList<String>();
        DeploymentRef deployment = event.deployment();
        if (deployment != null) {
            String commit = deployment.commitSha() == null || deployment.commitSha().isEmpty() ? ""
                    : ", commit " + deployment.commitSha().substring(0, Math.min(7, deployment.commitSha().length()));
            details.add("Branch " + deployment.branch() + commit);
        }
        if (event instanceof DeploymentFailed e) {
            details.add(e.reason());
        } else if (event instanceof DeploymentCancelled e) {
            details.add(e.reason());
        } else if (event instanceof DeploymentBroken e) {
            details.add(e.reason());
        } else if (event instanceof RolledBack e) {
            details.add("Rolled back by " + e.byUser());
        } else if (event instanceof CertificateIssued e) {
            details.add("Valid until " + e.notAfter());
        } else if (event instanceof CertificateRenewalFailing e) {
            details.add(e.error());
            details.add("The certificate expires " + e.notAfter());
        } else if (event instanceof CertificateExpiring e) {
            details.add("Last renewal error: " + e.lastError());
        } else if (event instanceof DomainChecked e) {
            details.add(e.reason());
        } else if (event instanceof PluginFailed e) {
            details.add(e.error());
        } else if (event instanceof Test e) {
            details.add("Sent by " + e.requestedBy() + " to check this channel.");
        }
        return new ChatMessage(event.summary(),
                details.stream().filter(line -> line != null && !line.isBlank()).map(ChatMessage::cut).toList(),
                links(event.project(), deployment), "Miaobu · " + event.kind().wireName());
    }

    private static List<Link> links(ProjectRef project, DeploymentRef deployment) {
        var links = new ArrayList<Link>();
        if (deployment != null && deployment.page() != null) {
            links.add(new Link("Deployment #" + deployment.id(), deployment.page()));
        } else if (project != null && project.page() != null) {
            links.add(new Link(project.name(), project.page()));
        }
        if (deployment != null && deployment.siteUrl() != null) {
            links.add(new Link("Open site", deployment.siteUrl()));
        }
        return links;
    }

    private static String cut(String line) {
        String trimmed = line.strip();
        if (trimmed.length() <= MAX_DETAIL) {
            return trimmed;
        }
        int end = MAX_DETAIL - 1;
        if (Character.isHighSurrogate(trimmed.charAt(end - 1))) {
            end--;
        }
        return trimmed.substring(0, end) + "…";
    }
}
