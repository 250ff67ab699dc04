package io.miaobu.server.audit;

import io.miaobu.server.auth.Allow;
import io.miaobu.server.auth.Permission;
import io.miaobu.server.web.Formats;
import io.miaobu.server.web.PageRenderer;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriBuilder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.glassfish.jersey.server.ContainerRequest;

/** The audit log page for admins: newest first, filtered by action and actor, paged by id. */
@Path("")
@Allow(Permission.ADMIN)
public final class AuditPage {

    private static final int PAGE_SIZE = 100;

    private final AuditLog audit;
    private final PageRenderer pages;

    public AuditPage(AuditLog audit, PageRenderer pages) {
        this.audit = audit;
        this.pages = pages;
    }

    @GET
    @Path("admin/audit")
    @Produces(MediaType.TEXT_HTML)
    public Response page(@QueryParam("before") Long before, @QueryParam("action") @DefaultValue("") String action,
                         @QueryParam("actor") @DefaultValue("") String actor, @Context ContainerRequest request) {
        List<AuditEvent> events = audit.list(before, action.isBlank() ? null : action, actor.isBlank() ? null : actor,
                PAGE_SIZE + 1);
        var rows = events.stream().limit(PAGE_SIZE).map(e -> {
            var row = new HashMap<String, Object>();
            row.put("id", e.id());
            row.put("occurredAt", Formats.dateTime(e.occurredAt()));
            row.put("occurredAtIso", Formats.iso(e.occurredAt()));
            row.put("actor", e.actorName());
            row.put("action", e.action());
            row.put("target", e.target());
            row.put("clientAddress", e.clientAddress());
            row.put("detail", e.detail());
            return row;
        }).toList();
        String olderUrl = null;
        if (events.size() > PAGE_SIZE) {
            var older = UriBuilder.fromPath("/admin/audit").queryParam("before", events.get(PAGE_SIZE - 1).id());
            if (!action.isBlank()) {
                older.queryParam("action", action);
            }
            if (!actor.isBlank()) {
                older.queryParam("actor", actor);
            }
            olderUrl = older.build().toString();
        }
        var model = new HashMap<String, Object>();
        model.put("events", rows);
        model.put("filter", Map.of("action", action, "actor", actor));
        model.put("actions", AuditLog.ACTION_CODES);
        model.put("olderUrl", olderUrl);
        return pages.render(request, "admin-audit", model);
    }
}
