package io.miaobu.plugin.email;

import io.miaobu.api.config.ConfigValues;
import io.miaobu.api.notify.DeploymentRef;
import io.miaobu.api.notify.NotificationContext;
import io.miaobu.api.notify.NotificationEvent;
import io.miaobu.api.notify.ProjectRef;
import java.net.URI;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Events, settings and contexts the tests share. */
final class Samples {

    static final Instant AT = Instant.parse("2026-11-26T08:30:00Z");
    static final Instant NOT_AFTER = Instant.parse("2027-02-24T08:30:00Z");
    static final String SHA = "0123456789abcdef0123456789abcdef01234567";
    static final URI DEPLOYMENT_PAGE = URI.create("http://localhost:8080/projects/my-site/deployments/42");
    static final URI SITE = URI.create("http://my-site.localhost:8080/");
    static final String FROM = "miaobu@example.test";

    private Samples() {
    }

    static ProjectRef project(String name) {
        return new ProjectRef(7, "my-site", name, URI.create("http://localhost:8080/projects/my-site"));
    }

    static DeploymentRef deployment(String branch) {
        return new DeploymentRef(42, branch, SHA, DEPLOYMENT_PAGE, SITE);
    }

    static NotificationEvent.DeploymentFailed failed(String projectName, String branch, String reason) {
        return new NotificationEvent.DeploymentFailed(AT, project(projectName), deployment(branch), reason);
    }

    /** One event of every kind in {@link io.miaobu.api.notify.EventKind}. */
    static List<NotificationEvent> oneOfEachKind() {
        ProjectRef project = project("My site");
        DeploymentRef deployment = deployment("main");
        DeploymentRef notLive = new DeploymentRef(42, "main", SHA, DEPLOYMENT_PAGE, null);
        return List.of(
                new NotificationEvent.DeploymentQueued(AT, project, notLive),
                new NotificationEvent.DeploymentStarted(AT, project, notLive),
                new NotificationEvent.DeploymentSucceeded(AT, project, deployment),
                new NotificationEvent.DeploymentFailed(AT, project, notLive, "Build command failed with exit code 1"),
                new NotificationEvent.DeploymentCancelled(AT, project, notLive, "Cancelled by alice."),
                new NotificationEvent.DeploymentBroken(AT, project, notLive, "Build command failed with exit code 2"),
                new NotificationEvent.DeploymentFixed(AT, project, deployment),
                new NotificationEvent.RolledBack(AT, project, deployment, "alice"),
                new NotificationEvent.PreviewReady(AT, project, new DeploymentRef(43, "feature/login", SHA,
                        DEPLOYMENT_PAGE, URI.create("http://pr-12.my-site.localhost:8080/"))),
                new NotificationEvent.PreviewRemoved(AT, project, "pr-12"),
                new NotificationEvent.CertificateIssued(AT, project, "www.example.test", NOT_AFTER, false),
                new NotificationEvent.CertificateIssued(AT, project, "www.example.test", NOT_AFTER, true),
                new NotificationEvent.CertificateRenewalFailing(AT, project, "www.example.test", NOT_AFTER,
                        "DNS problem: NXDOMAIN looking up A for www.example.test"),
                new NotificationEvent.CertificateExpiring(AT, null, "www.example.test", NOT_AFTER,
                        "Timeout during connect"),
                new NotificationEvent.DomainChecked(AT, project, "www.example.test", true, null),
                new NotificationEvent.DomainChecked(AT, project, "www.example.test", false,
                        "www.example.test has no CNAME to my-site.localhost"),
                new NotificationEvent.PluginFailed(AT, "notify-slack", "ClassNotFoundException: com.slack.Api"),
                new NotificationEvent.Test(AT, "alice"));
    }

    /** Settings for a server on 127.0.0.1:{@code port} with {@code security}, plus {@code extra}. */
    static ConfigValues settings(int port, String security, Map<String, String> extra) {
        var plain = new HashMap<String, String>();
        plain.put("host", "127.0.0.1");
        plain.put("port", Integer.toString(port));
        plain.put("security", security);
        plain.put("from-address", FROM);
        plain.put("from-name", "Miaobu");
        plain.put("timeout-seconds", "20");
        plain.putAll(extra);
        return ConfigValues.of(plain);
    }

    static ConfigValues settings(int port, String security) {
        return settings(port, security, Map.of());
    }

    static NotificationContext context(ConfigValues settings, String... recipients) {
        return new NotificationContext(settings, ConfigValues.EMPTY, List.of(recipients), "delivery-1", 1);
    }
}
