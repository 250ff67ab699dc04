package io.miaobu.server.webhook;

import io.miaobu.api.ExtensionException;
import io.miaobu.api.Secret;
import io.miaobu.api.source.SourceProvider;
import io.miaobu.api.source.WebhookDelivery;
import io.miaobu.api.source.WebhookEvent;
import io.miaobu.api.source.WebhookRejectedException;
import io.miaobu.server.plugin.ExtensionRegistry;
import io.miaobu.server.plugin.ExtensionSettings;
import io.miaobu.server.project.Project;
import io.miaobu.server.project.ProjectDao;
import io.miaobu.server.project.ProjectExtensionValues;
import io.miaobu.server.web.UserFacingException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives webhook deliveries: finds the project, lets its source provider verify and parse the delivery, makes sure
 * each delivery id is acted on once, acts, and records every delivery with its outcome — refused ones too. Also runs a
 * recorded delivery again on a user's request.
 */
public final class WebhookReceiver {

    private static final Logger LOG = LoggerFactory.getLogger(WebhookReceiver.class);
    /** GitHub caps payloads at 25 MB; pushes of ordinary size are far below this. */
    public static final int BODY_LIMIT = 5 * 1024 * 1024;

    private final ProjectDao projects;
    private final ExtensionRegistry extensions;
    private final ExtensionSettings settings;
    private final ProjectExtensionValues projectSettings;
    private final ProjectWebhooks webhooks;
    private final WebhookDeliveryLog log;
    private final WebhookHandler handler;

    public WebhookReceiver(Jdbi jdbi, ExtensionRegistry extensions, ExtensionSettings settings,
                           ProjectExtensionValues projectSettings, ProjectWebhooks webhooks, WebhookDeliveryLog log,
                           WebhookHandler handler) {
        this.projects = jdbi.onDemand(ProjectDao.class);
        this.extensions = extensions;
        this.settings = settings;
        this.projectSettings = projectSettings;
        this.webhooks = webhooks;
        this.log = log;
        this.handler = handler;
    }

    /** A delivery as received. */
    public record Incoming(String sourceId, String projectId, Map<String, List<String>> headers, byte[] body,
                           boolean tooLarge, String clientAddress) {

        public Incoming {
            var lower = new TreeMap<String, List<String>>();
            headers.forEach((name, values) -> lower.put(name.toLowerCase(Locale.ROOT), List.copyOf(values)));
            headers = lower;
        }

        String header(String name) {
            List<String> values = headers.get(name);
            return values == null || values.isEmpty() ? "" : values.get(0);
        }

        /** The event and delivery id as the sender named them, before anything was verified (for the record). */
        String claimedEvent() {
            return firstNonEmpty(header("x-github-event"), header("x-gitlab-event"), header("x-gitea-event"),
                    header("x-miaobu-event"));
        }

        String claimedDeliveryId() {
            return firstNonEmpty(header("x-github-delivery"), header("x-gitea-delivery"),
                    header("x-gitlab-event-uuid"), header("x-miaobu-delivery"));
        }
    }

    /** What the sender is answered, and the record made. */
    public record Answer(int httpStatus, long recordId, DeliveryOutcome outcome, String reason, Long deploymentId) {
    }

    public Answer receive(Incoming incoming) {
        Optional<Project> project = parseId(incoming.projectId()).flatMap(projects::findById);
        if (project.isEmpty()) {
            return refuse(incoming, null, 404, "No project " + incoming.projectId() + " receives webhooks here.");
        }
        Project target = project.get();
        if (!target.sourceProvider().equals(incoming.sourceId())) {
            return refuse(incoming, target.id(), 404, "This project's source is '" + target.sourceProvider()
                    + "', not '" + incoming.sourceId() + "'.");
        }
        if (incoming.tooLarge()) {
            return refuse(incoming, target.id(), 413, "The delivery is larger than " + BODY_LIMIT / (1024 * 1024)
                    + " MiB.");
        }
        Optional<Secret> secret = webhooks.secretOf(target.id());
        if (secret.isEmpty()) {
            return refuse(incoming, target.id(), 404, "Webhooks are not set up for this project.");
        }
        Optional<SourceProvider> provider = extensions.find(SourceProvider.class, target.sourceProvider());
        if (provider.isEmpty()) {
            // kept with its body: once the plugin runs again, a user can redeliver it
            return keep(incoming, target.id(), incoming.claimedDeliveryId(), incoming.claimedEvent(), null,
                    new WebhookHandler.Result(DeliveryOutcome.FAILED, "The source plugin '" + target.sourceProvider()
                            + "' is not running.", 503, null));
        }
        WebhookEvent event;
        try {
            event = provider.get().parseWebhook(new WebhookDelivery(incoming.headers(), incoming.body(), secret.get(),
                    settings.valuesFor("SourceProvider", provider.get()),
                    projectSettings.valuesFor(target.id(), "SourceProvider", provider.get())));
        } catch (WebhookRejectedException e) {
            return refuse(incoming, target.id(), e.status(), e.getMessage());
        } catch (ExtensionException e) {
            return refuse(incoming, target.id(), 400, e.getMessage());
        } catch (RuntimeException e) {
            String reference = reference();
            LOG.error("The source plugin {} failed on a webhook delivery (reference {})", target.sourceProvider(),
                    reference, e);
            return keep(incoming, target.id(), incoming.claimedDeliveryId(), incoming.claimedEvent(), null,
                    new WebhookHandler.Result(DeliveryOutcome.FAILED, "The source plugin failed; an admin can find"
                            + " reference " + reference + " in the server log.", 502, null));
        }
        String deliveryId = event.deliveryId() == null ? "" : event.deliveryId();
        if (!log.claim(target.id(), target.sourceProvider(), deliveryId)) {
            return keep(incoming, target.id(), deliveryId, incoming.claimedEvent(), null,
                    WebhookHandler.Result.ignored("Duplicate delivery: " + deliveryId + " was received before."));
        }
        WebhookHandler.Result result = act(target, event);
        if (result.outcome() == DeliveryOutcome.FAILED) {
            // the source host may send it again (GitHub's "redeliver"); that must not count as a duplicate
            log.release(target.id(), target.sourceProvider(), deliveryId);
        }
        return keep(incoming, target.id(), deliveryId, incoming.claimedEvent(), null, result);
    }

    /**
     * Runs a recorded delivery again: verified again with the project's current secret, acted on without the duplicate
     * check, and recorded as a new delivery pointing at the old one.
     */
    public Answer redeliver(Project project, long recordId) {
        RecordedDelivery recorded = log.find(recordId)
                .filter(d -> d.projectId() != null && d.projectId() == project.id())
                .orElseThrow(() -> UserFacingException.notFound("No delivery " + recordId + " for this project."));
        if (!recorded.redeliverable()) {
            throw UserFacingException.conflict("Delivery " + recordId + " was refused when it arrived ("
                    + recorded.reason() + "), so it cannot be run again.");
        }
        WebhookDeliveryLog.KeptRequest kept = log.keptRequest(recordId)
                .orElseThrow(() -> UserFacingException.conflict("Delivery " + recordId + " kept no body."));
        SourceProvider provider = extensions.find(SourceProvider.class, project.sourceProvider())
                .orElseThrow(() -> UserFacingException.conflict("The source plugin '" + project.sourceProvider()
                        + "' is not running."));
        Secret secret = webhooks.secretOf(project.id())
                .orElseThrow(() -> UserFacingException.conflict("Webhooks are not set up for this project."));
        WebhookEvent event;
        try {
            event = provider.parseWebhook(new WebhookDelivery(kept.headers(), kept.body(), secret,
                    settings.valuesFor("SourceProvider", provider),
                    projectSettings.valuesFor(project.id(), "SourceProvider", provider)));
        } catch (WebhookRejectedException e) {
            throw UserFacingException.conflict("Delivery " + recordId + " no longer verifies (" + e.getMessage()
                    + "); the webhook's secret was probably renewed since it arrived.");
        } catch (ExtensionException e) {
            throw UserFacingException.conflict(e.getMessage());
        }
        WebhookHandler.Result result = act(project, event);
        long id = log.record(new WebhookDeliveryLog.Entry(project.id(), project.sourceProvider(),
                recorded.deliveryId(), recorded.event(), result.outcome(), result.reason(), result.httpStatus(),
                result.deploymentId(), recordId, kept.headers(), kept.body(), null));
        return new Answer(result.httpStatus(), id, result.outcome(), result.reason(), result.deploymentId());
    }

    private WebhookHandler.Result act(Project project, WebhookEvent event) {
        try {
            return handler.handle(project, event);
        } catch (UserFacingException e) {
            return new WebhookHandler.Result(DeliveryOutcome.FAILED, e.getMessage(), e.status() >= 500
                    ? e.status() : 503, null);
        } catch (RuntimeException e) {
            String reference = reference();
            LOG.error("Acting on a webhook delivery for project {} failed (reference {})", project.slug(), reference,
                    e);
            return new WebhookHandler.Result(DeliveryOutcome.FAILED, "Miaobu failed to act on it; an admin can find"
                    + " reference " + reference + " in the server log.", 500, null);
        }
    }

    private Answer refuse(Incoming incoming, Long projectId, int status, String reason) {
        long id = log.record(new WebhookDeliveryLog.Entry(projectId, incoming.sourceId(),
                incoming.claimedDeliveryId(), incoming.claimedEvent(), DeliveryOutcome.REFUSED, reason, status, null,
                null, incoming.headers(), null, incoming.clientAddress()));
        LOG.info("Webhook delivery {} for project {} refused ({}): {}", incoming.claimedDeliveryId(),
                incoming.projectId(), status, reason);
        return new Answer(status, id, DeliveryOutcome.REFUSED, reason, null);
    }

    private Answer keep(Incoming incoming, long projectId, String deliveryId, String event, Long redeliveryOf,
                        WebhookHandler.Result result) {
        long id = log.record(new WebhookDeliveryLog.Entry(projectId, incoming.sourceId(), deliveryId, event,
                result.outcome(), result.reason(), result.httpStatus(), result.deploymentId(), redeliveryOf,
                incoming.headers(), incoming.body(), incoming.clientAddress()));
        return new Answer(result.httpStatus(), id, result.outcome(), result.reason(), result.deploymentId());
    }

    private static Optional<Long> parseId(String text) {
        try {
            long id = Long.parseLong(text);
            return id > 0 ? Optional.of(id) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static String reference() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    private static String firstNonEmpty(String... values) {
        for (String value : values) {
            if (value != null && !value.isEmpty()) {
                return value;
            }
        }
        return "";
    }
}
