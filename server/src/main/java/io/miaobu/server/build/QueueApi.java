package io.miaobu.server.build;

import io.miaobu.server.auth.Allow;
import io.miaobu.server.auth.Permission;
import io.miaobu.server.web.Listing;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;

/** The build queue across all projects, for admins: what runs where, and what waits in which order. */
@Path("api/v1/admin/queue")
@Produces(MediaType.APPLICATION_JSON)
@Allow(Permission.ADMIN)
public final class QueueApi {

    private final BuildService builds;

    public QueueApi(BuildService builds) {
        this.builds = builds;
    }

    @GET
    public Listing<QueueEntryView> list() {
        return new Listing<>(builds.activeQueue().stream().map(QueueEntryView::of).toList(), false);
    }

    /**
     * @param position   place in the waiting line (1 = next), 0 for running deployments
     * @param node       the server running it; {@code null} while queued
     * @param heartbeatAt the last sign of life of a running build
     */
    public record QueueEntryView(long deploymentId, long projectId, String project, DeploymentStatus status,
                                 String branch, String trigger, Instant createdAt, Instant startedAt, int position,
                                 String node, Instant heartbeatAt) {
        static QueueEntryView of(BuildQueue.QueueEntry entry) {
            Deployment d = entry.deployment();
            return new QueueEntryView(d.id(), d.projectId(), entry.projectSlug(), d.status(), d.branch(),
                    d.triggerKind(), d.createdAt(), d.startedAt(), entry.position(), entry.claimedBy(),
                    entry.heartbeatAt());
        }
    }
}
