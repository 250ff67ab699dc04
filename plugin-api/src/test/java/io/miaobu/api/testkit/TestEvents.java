package io.miaobu.api.testkit;

import io.miaobu.api.config.ConfigValues;
import io.miaobu.api.notify.DeploymentRef;
import io.miaobu.api.notify.EventKind;
import io.miaobu.api.notify.NotificationContext;
import io.miaobu.api.notify.NotificationEvent;
import io.miaobu.api.notify.ProjectRef;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Sample {@link NotificationEvent}s and {@link NotificationContext}s for testing a
 * {@link io.miaobu.api.notify.Notifier}.
 *
 * <pre>{@code
 * @ParameterizedTest
 * @MethodSource("io.miaobu.api.testkit.TestEvents#everyKind")
 * void deliversEveryKindOfEvent(NotificationEvent event) throws Exception {
 *     notifier.deliver(event, TestEvents.context(channelSettings));
 * }
 * }</pre>
 *
 * <p>Every event happens {@link #AT}, concerns {@link #PROJECT} and, where it has one, {@link #DEPLOYMENT}. The
 * samples change only when the API gains a kind: {@link #everyKind()} then grows by one.
 */
public final class TestEvents {

    /** When every sample happened: {@code 2026-01-02T03:04:05Z}. */
    public static final Instant AT = Instant.parse("2026-01-02T03:04:05Z");

    /** Project 7, {@code my-site}, "My site". */
    public static final ProjectRef PROJECT = new ProjectRef(7, "my-site", "My site",
            URI.create("http://localhost:8080/projects/7"));

    /** Deployment 42 of {@code main}, served at {@code http://my-site.localhost:8080/}. */
    public static final DeploymentRef DEPLOYMENT = new DeploymentRef(42, "main",
            "0123456789abcdef0123456789abcdef01234567", URI.create("http://localhost:8080/deployments/42"),
            URI.create("http://my-site.localhost:8080/"));

    private static final Instant NOT_AFTER = Instant.parse("2026-04-02T03:04:05Z");

    private TestEvents() {
    }

    /** One event of every {@link EventKind}, in the order of {@link EventKind#values()}. */
    public static List<NotificationEvent> everyKind() {
        return List.of(
                new NotificationEvent.DeploymentQueued(AT, PROJECT, DEPLOYMENT),
                new NotificationEvent.DeploymentStarted(AT, PROJECT, DEPLOYMENT),
                new NotificationEvent.DeploymentSucceeded(AT, PROJECT, DEPLOYMENT),
                new NotificationEvent.DeploymentFailed(AT, PROJECT, DEPLOYMENT, "Build command failed with exit code 1"
                        + ": npm run build"),
                new NotificationEvent.DeploymentCancelled(AT, PROJECT, DEPLOYMENT, "Cancelled by alice."),
                new NotificationEvent.DeploymentBroken(AT, PROJECT, DEPLOYMENT, "Build command failed with exit code"
                        + " 1: npm run build"),
                new NotificationEvent.DeploymentFixed(AT, PROJECT, DEPLOYMENT),
                new NotificationEvent.RolledBack(AT, PROJECT, DEPLOYMENT, "alice"),
                new NotificationEvent.PreviewReady(AT, PROJECT, DEPLOYMENT),
                new NotificationEvent.PreviewRemoved(AT, PROJECT, "pr-12"),
                new NotificationEvent.CertificateIssued(AT, PROJECT, "www.example.com", NOT_AFTER, false),
                new NotificationEvent.CertificateIssued(AT, PROJECT, "www.example.com", NOT_AFTER, true),
                new NotificationEvent.CertificateRenewalFailing(AT, PROJECT, "www.example.com", NOT_AFTER,
                        "DNS problem: NXDOMAIN looking up A for www.example.com"),
                new NotificationEvent.CertificateExpiring(AT, PROJECT, "www.example.com", NOT_AFTER,
                        "DNS problem: NXDOMAIN looking up A for www.example.com"),
                new NotificationEvent.DomainChecked(AT, PROJECT, "www.example.com", true, ""),
                new NotificationEvent.DomainChecked(AT, PROJECT, "www.example.com", false,
                        "www.example.com has no CNAME to my-site.localhost"),
                new NotificationEvent.PluginFailed(AT, "notify-example", "Plugin requires Miaobu >=9.0.0"),
                new NotificationEvent.Test(AT, "alice"));
    }

    /** The sample of {@code kind}. */
    public static NotificationEvent of(EventKind kind) {
        return everyKind().stream().filter(event -> event.kind() == kind).findFirst()
                .orElseThrow(() -> new NoSuchElementException("no sample of " + kind));
    }

    /**
     * A first delivery ({@code test-delivery-1}, attempt 1) to a channel with these settings, no global settings and
     * no recipients.
     */
    public static NotificationContext context(ConfigValues channelSettings) {
        return new NotificationContext(ConfigValues.EMPTY, channelSettings, List.of(), "test-delivery-1", 1);
    }

    /**
     * A first delivery ({@code test-delivery-1}, attempt 1), for notifiers that {@linkplain
     * io.miaobu.api.notify.Notifier#deliversToPeople() address people}: the host sends one delivery per recipient.
     */
    public static NotificationContext context(ConfigValues globalSettings, ConfigValues channelSettings,
                                              List<String> recipients) {
        return new NotificationContext(globalSettings, channelSettings, recipients, "test-delivery-1", 1);
    }
}
