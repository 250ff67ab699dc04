package io.miaobu.server.build;

import io.miaobu.server.auth.Allow;
import io.miaobu.server.auth.Permission;
import io.miaobu.server.web.Formats;
import io.miaobu.server.web.PageRenderer;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import org.glassfish.jersey.server.ContainerRequest;

/** The admins' queue page: running builds with their node and heartbeat, then the waiting line. */
@Path("admin/queue")
@Produces(MediaType.TEXT_HTML)
@Allow(Permission.ADMIN)
public final class QueuePage {

    private final BuildService builds;
    private final PageRenderer pages;
    private final Clock clock;

    public QueuePage(BuildService builds, PageRenderer pages, Clock clock) {
        this.builds = builds;
        this.pages = pages;
        this.clock = clock;
    }

    @GET
    public Response page(@Context ContainerRequest request) {
        var now = clock.instant();
        var rows = builds.activeQueue().stream().map(entry -> {
            Deployment d = entry.deployment();
            var row = new HashMap<String, Object>();
            row.put("id", d.id());
            row.put("projectId", d.projectId());
            row.put("project", entry.projectSlug());
            row.put("status", d.status().name());
            row.put("branch", d.branch());
            row.put("trigger", d.triggerKind());
            row.put("createdAt", Formats.dateTime(d.createdAt()));
            row.put("createdAtIso", Formats.iso(d.createdAt()));
            row.put("position", entry.position());
            row.put("node", entry.claimedBy());
            row.put("heartbeatAgo", entry.heartbeatAt() == null ? null
                    : Formats.duration(java.time.Duration.between(entry.heartbeatAt(), now)));
            row.put("running", entry.position() == 0);
            return row;
        }).toList();
        return pages.render(request, "admin-queue", Map.of("entries", rows));
    }
}
