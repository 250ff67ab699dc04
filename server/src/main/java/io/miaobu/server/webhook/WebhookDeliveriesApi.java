package io.miaobu.server.webhook;

import io.miaobu.server.audit.AuditAction;
import io.miaobu.server.audit.Audited;
import io.miaobu.server.auth.Allow;
import io.miaobu.server.auth.Permission;
import io.miaobu.server.project.Project;
import io.miaobu.server.project.ProjectService;
import io.miaobu.server.web.Listing;
import io.miaobu.server.web.UserFacingException;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.net.URI;
import java.util.List;
import java.util.Map;

/** A project's webhook: its state, the deliveries received for it, running one again, and registering it anew. */
@Path("api/v1/projects/{projectId}/webhook")
@Produces(MediaType.APPLICATION_JSON)
public final class WebhookDeliveriesApi {

    private static final int DEFAULT_LIMIT = 50;
    private static final int MAX_LIMIT = 200;

    private final ProjectService projects;
    private final ProjectWebhooks webhooks;
    private final WebhookDeliveryLog log;
    private final WebhookReceiver receiver;

    public WebhookDeliveriesApi(ProjectService projects, ProjectWebhooks webhooks, WebhookDeliveryLog log,
                                WebhookReceiver receiver) {
        this.projects = projects;
        this.webhooks = webhooks;
        this.log = log;
        this.receiver = receiver;
    }

    /** The webhook as the project page shows it; the secret never leaves the server. */
    public record WebhookView(boolean installed, String webhookId, boolean hasSecret, URI callbackUrl) {
    }

    @GET
    @Allow(Permission.PROJECT_VIEW)
    public WebhookView webhook(@PathParam("projectId") long projectId) {
        return view(webhooks.state(projects.get(projectId)));
    }

    /** Registers the webhook at the source host with a new secret (again, if it was there). */
    @POST
    @Audited(AuditAction.WEBHOOK_INSTALLED)
    @Allow(Permission.PROJECT_CONFIGURE)
    public WebhookView install(@PathParam("projectId") long projectId) {
        return view(webhooks.install(projects.get(projectId)));
    }

    @GET
    @Path("deliveries")
    @Allow(Permission.PROJECT_VIEW)
    public Listing<RecordedDelivery> list(@PathParam("projectId") long projectId, @QueryParam("limit") Integer limit) {
        projects.get(projectId);
        int size = limit == null ? DEFAULT_LIMIT : Math.max(1, Math.min(MAX_LIMIT, limit));
        List<RecordedDelivery> page = log.listForProject(projectId, size + 1);
        return new Listing<>(page.subList(0, Math.min(size, page.size())), page.size() > size);
    }

    /** One delivery with the headers it came with (signatures left out). */
    public record DeliveryDetail(RecordedDelivery delivery, Map<String, List<String>> headers) {
    }

    @GET
    @Path("deliveries/{webhookDeliveryId}")
    @Allow(Permission.PROJECT_VIEW)
    public DeliveryDetail get(@PathParam("projectId") long projectId,
                              @PathParam("webhookDeliveryId") long deliveryId) {
        RecordedDelivery delivery = log.find(deliveryId)
                .filter(d -> d.projectId() != null && d.projectId() == projectId)
                .orElseThrow(() -> UserFacingException.notFound("No delivery " + deliveryId + " for this project."));
        return new DeliveryDetail(delivery, log.shownHeaders(deliveryId));
    }

    @POST
    @Path("deliveries/{webhookDeliveryId}/redeliver")
    @Audited(AuditAction.WEBHOOK_REDELIVERED)
    @Allow(Permission.PROJECT_DEPLOY)
    public WebhookReceiver.Answer redeliver(@PathParam("projectId") long projectId,
                                            @PathParam("webhookDeliveryId") long deliveryId) {
        Project project = projects.get(projectId);
        return receiver.redeliver(project, deliveryId);
    }

    private static WebhookView view(ProjectWebhooks.State state) {
        return new WebhookView(state.installed(), state.webhookId(), state.hasSecret(), state.callbackUrl());
    }
}
