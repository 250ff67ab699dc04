package io.miaobu.plugin.webhook;

import com.fasterxml.jackson.databind.node.ObjectNode;
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
import io.miaobu.api.notify.NotificationEvent.PreviewRemoved;
import io.miaobu.api.notify.NotificationEvent.RolledBack;
import io.miaobu.api.notify.NotificationEvent.Test;
import io.miaobu.api.notify.ProjectRef;
import java.net.URI;
import java.time.Instant;

/**
 * The body of a {@code miaobu}-format webhook, schema version 1, as described field by field in
 * docs/user/webhook-notifications.md. Version 1 only ever gains fields; a change that removes or retypes one is
 * version 2.
 */
final class MiaobuPayload {

    static final int SCHEMA_VERSION = 1;

    private MiaobuPayload() {
    }

    static byte[] body(NotificationEvent event, String deliveryId) {
        ObjectNode json = Json.object();
        json.put("schema", SCHEMA_VERSION);
        json.put("id", deliveryId);
        json.put("event", event.kind().wireName());
        json.put("at", timestamp(event.at()));
        json.put("summary", event.summary());
        putProject(json, event.project());
        putDeployment(json, event.deployment());
        putKindFields(json, event);
        return Json.bytes(json);
    }

    private static void putProject(ObjectNode json, ProjectRef project) {
        if (project == null) {
            json.putNull("project");
            return;
        }
        ObjectNode node = json.putObject("project");
        node.put("id", project.id());
        node.put("slug", project.slug());
        node.put("name", project.name());
        node.put("url", text(project.page()));
    }

    private static void putDeployment(ObjectNode json, DeploymentRef deployment) {
        if (deployment == null) {
            json.putNull("deployment");
            return;
        }
        ObjectNode node = json.putObject("deployment");
        node.put("id", deployment.id());
        node.put("branch", deployment.branch());
        String commit = deployment.commitSha();
        node.put("commit", commit == null || commit.isEmpty() ? null : commit);
        node.put("url", text(deployment.page()));
        node.put("siteUrl", text(deployment.siteUrl()));
    }

    // instanceof rather than a switch: Java 17 has no pattern switch, and kinds added later fall through to none
    private static void putKindFields(ObjectNode json, NotificationEvent event) {
        if (event instanceof DeploymentFailed e) {
            json.put("reason", e.reason());
        } else if (event instanceof DeploymentCancelled e) {
            json.put("reason", e.reason());
        } else if (event instanceof DeploymentBroken e) {
            json.put("reason", e.reason());
        } else if (event instanceof RolledBack e) {
            json.put("byUser", e.byUser());
        } else if (event instanceof PreviewRemoved e) {
            json.put("preview", e.preview());
        } else if (event instanceof CertificateIssued e) {
            json.put("domain", e.domain());
            json.put("notAfter", timestamp(e.notAfter()));
            json.put("renewal", e.renewal());
        } else if (event instanceof CertificateRenewalFailing e) {
            json.put("domain", e.domain());
            json.put("notAfter", timestamp(e.notAfter()));
            json.put("error", e.error());
        } else if (event instanceof CertificateExpiring e) {
            json.put("domain", e.domain());
            json.put("notAfter", timestamp(e.notAfter()));
            json.put("error", e.lastError());
        } else if (event instanceof DomainChecked e) {
            json.put("domain", e.domain());
            json.put("verified", e.verified());
            json.put("reason", e.reason());
        } else if (event instanceof PluginFailed e) {
            json.put("pluginId", e.pluginId());
            json.put("error", e.error());
        } else if (event instanceof Test e) {
            json.put("requestedBy", e.requestedBy());
        }
    }

    /** ISO-8601 in UTC, e.g. {@code 2025-03-01T12:00:00Z}; fractions of a second only when there are some. */
    private static String timestamp(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    private static String text(URI uri) {
        return uri == null ? null : uri.toString();
    }
}
