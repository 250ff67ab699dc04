package io.miaobu.server.webhook;

import io.miaobu.server.audit.AuditAction;
import io.miaobu.server.audit.Audited;
import io.miaobu.server.auth.Allow;
import io.miaobu.server.auth.Permission;
import io.miaobu.server.deploy.SiteUrls;
import io.miaobu.server.project.Project;
import io.miaobu.server.project.ProjectPages;
import io.miaobu.server.project.ProjectService;
import io.miaobu.server.web.Formats;
import io.miaobu.server.web.PageRenderer;
import io.miaobu.server.web.UserFacingException;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.glassfish.jersey.server.ContainerRequest;

/** A project's webhook page: whether it is registered, every delivery received with its outcome, and redelivery. */
@Path("projects/{projectId}/webhook")
@Produces(MediaType.TEXT_HTML)
public final class WebhookPages {

    private static final int SHOWN = 100;

    private final ProjectService projects;
    private final ProjectWebhooks webhooks;
    private final WebhookDeliveryLog log;
    private final WebhookReceiver receiver;
    private final PageRenderer pages;
    private final SiteUrls siteUrls;

    public WebhookPages(ProjectService projects, ProjectWebhooks webhooks, WebhookDeliveryLog log,
                        WebhookReceiver receiver, PageRenderer pages, SiteUrls siteUrls) {
        this.projects = projects;
        this.webhooks = webhooks;
        this.log = log;
        this.receiver = receiver;
        this.pages = pages;
        this.siteUrls = siteUrls;
    }

    @GET
    @Allow(Permission.PROJECT_VIEW)
    public Response page(@PathParam("projectId") long projectId, @Context ContainerRequest request) {
        return render(request, projects.get(projectId), null, 200);
    }

    @POST
    @Audited(AuditAction.WEBHOOK_INSTALLED)
    @Allow(Permission.PROJECT_CONFIGURE)
    public Response install(@PathParam("projectId") long projectId, @Context ContainerRequest request) {
        Project project = projects.get(projectId);
        try {
            webhooks.install(project);
            return pages.redirect("/projects/" + projectId + "/webhook", "The webhook is registered with a new"
                    + " secret.");
        } catch (UserFacingException e) {
            return render(request, project, e.getMessage(), e.status());
        }
    }

    @POST
    @Path("deliveries/{webhookDeliveryId}/redeliver")
    @Audited(AuditAction.WEBHOOK_REDELIVERED)
    @Allow(Permission.PROJECT_DEPLOY)
    public Response redeliver(@PathParam("projectId") long projectId,
                              @PathParam("webhookDeliveryId") long deliveryId, @Context ContainerRequest request) {
        Project project = projects.get(projectId);
        try {
            WebhookReceiver.Answer answer = receiver.redeliver(project, deliveryId);
            return pages.redirect("/projects/" + projectId + "/webhook", "Delivery " + deliveryId + " ran again: "
                    + answer.reason());
        } catch (UserFacingException e) {
            if (e.status() == 404) {
                throw e;
            }
            return render(request, project, e.getMessage(), e.status());
        }
    }

    private Response render(ContainerRequest request, Project project, String problem, int status) {
        var model = new HashMap<String, Object>();
        model.put("project", ProjectPages.summaryOf(project, siteUrls));
        model.put("can", ProjectPages.abilitiesOf(request));
        ProjectWebhooks.State state = webhooks.state(project);
        model.put("webhook", Map.of("installed", state.installed(), "id", state.webhookId() == null ? ""
                : state.webhookId(), "callbackUrl", state.callbackUrl().toString(), "hasSecret", state.hasSecret()));
        List<Map<String, Object>> rows = log.listForProject(project.id(), SHOWN).stream().map(d -> {
            var row = new HashMap<String, Object>();
            row.put("id", d.id());
            row.put("deliveryId", d.deliveryId());
            row.put("event", d.event());
            row.put("receivedAt", Formats.dateTime(d.receivedAt()));
            row.put("receivedAtIso", Formats.iso(d.receivedAt()));
            row.put("outcome", d.outcome().name());
            row.put("reason", d.reason() == null ? "" : d.reason());
            row.put("httpStatus", d.httpStatus());
            row.put("redeliverable", d.redeliverable());
            if (d.deploymentId() != null) {
                row.put("deploymentId", d.deploymentId());
            }
            if (d.redeliveryOf() != null) {
                row.put("redeliveryOf", d.redeliveryOf());
            }
            return (Map<String, Object>) row;
        }).toList();
        model.put("deliveries", rows);
        if (problem != null) {
            model.put("problem", problem);
        }
        return pages.render(request, "project-webhook", model, status);
    }
}
