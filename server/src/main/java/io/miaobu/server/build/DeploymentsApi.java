package io.miaobu.server.build;

import io.miaobu.api.host.TaskLog;
import io.miaobu.server.audit.AuditAction;
import io.miaobu.server.audit.Audited;
import io.miaobu.server.auth.AccessFilter;
import io.miaobu.server.auth.Allow;
import io.miaobu.server.auth.Permission;
import io.miaobu.server.deploy.DeployService;
import io.miaobu.server.project.ProjectService;
import io.miaobu.server.retention.RetentionService;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.IOException;
import org.eclipse.jetty.server.Request;
import org.glassfish.jersey.server.ChunkedOutput;
import org.glassfish.jersey.server.ContainerRequest;

@jakarta.ws.rs.Path("api/v1/deployments")
@Produces(MediaType.APPLICATION_JSON)
@Allow(Permission.PROJECT_VIEW)
public final class DeploymentsApi {

    private final BuildService builds;
    private final ProjectService projects;
    private final DeployService deploys;
    private final BuildLogs logs;
    private final RetentionService retention;
    private final LogStreams streams;

    public DeploymentsApi(BuildService builds, ProjectService projects, DeployService deploys, BuildLogs logs,
                          RetentionService retention, LogStreams streams) {
        this.builds = builds;
        this.projects = projects;
        this.deploys = deploys;
        this.logs = logs;
        this.retention = retention;
        this.streams = streams;
    }

    @GET
    @jakarta.ws.rs.Path("{deploymentId}")
    public DeploymentView get(@PathParam("deploymentId") long id) {
        Deployment deployment = builds.get(id);
        return DeploymentView.of(deployment, projects.get(deployment.projectId()).liveDeploymentId(),
                builds.timeline(id));
    }

    @GET
    @jakarta.ws.rs.Path("{deploymentId}/log")
    @Produces(MediaType.TEXT_PLAIN + ";charset=utf-8")
    public Response log(@PathParam("deploymentId") long id) {
        builds.get(id);
        StreamingOutput body = out -> logs.copyTo(id, out);
        return Response.ok(body).header("Cache-Control", "no-store").build();
    }

    /**
     * The log as Server-Sent Events: every line (event {@code line}, id = line number) from the one after
     * {@code Last-Event-ID} (or the query parameter {@code after}), then new lines and status changes (event
     * {@code status}) as they happen, then {@code end}. Hands the client to {@link LogStreams} and returns: no thread
     * waits for the build on the client's behalf.
     */
    @GET
    @jakarta.ws.rs.Path("{deploymentId}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void events(@PathParam("deploymentId") long id, @HeaderParam("Last-Event-ID") String lastEventId,
                       @QueryParam("after") String afterLine, @Context Request connection,
                       @Suspended AsyncResponse response) {
        builds.get(id);
        // Last-Event-ID (a reconnect) wins over ?after= (where the page's embedded log ends)
        long after = lastEventId == null || lastEventId.isBlank() ? parseEventId(afterLine)
                : parseEventId(lastEventId);
        // the events are encoded here, many to a chunk (SseEventSink writes and flushes one event at a time); resuming
        // now sends the headers and connects the output, so any thread may write to it from here on
        var output = new ChunkedOutput<byte[]>(byte[].class);
        response.resume(output);
        streams.open(id, after, new ChunkedEventStream(output, connection));
    }

    /** A client's event stream on its Jersey response, dropped through its Jetty connection. */
    private record ChunkedEventStream(ChunkedOutput<byte[]> output, Request connection) implements EventStreamSink {

        @Override
        public void write(byte[] frames) throws IOException {
            output.write(frames);
        }

        @Override
        public void close() {
            try {
                output.close();
            } catch (IOException | RuntimeException e) {
                // the client went away first
            }
        }

        @Override
        public void abort() {
            // fails a write blocked on this connection at once (HTTP/1.1: the connection is this client's alone)
            connection.getConnectionMetaData().getConnection().getEndPoint().close();
        }
    }

    @POST
    @Audited(AuditAction.DEPLOY_CANCELLED)
    @Allow(Permission.PROJECT_DEPLOY)
    @jakarta.ws.rs.Path("{deploymentId}/cancel")
    public DeploymentView cancel(@PathParam("deploymentId") long id, @Context ContainerRequest request) {
        Deployment deployment = builds.cancel(id, AccessFilter.currentUser(request));
        return DeploymentView.of(deployment, projects.get(deployment.projectId()).liveDeploymentId(), null);
    }

    @POST
    @Audited(AuditAction.DEPLOY_ACTIVATED)
    @Allow(Permission.PROJECT_DEPLOY)
    @jakarta.ws.rs.Path("{deploymentId}/activate")
    public DeploymentView activate(@PathParam("deploymentId") long id, @Context ContainerRequest request) {
        Deployment deployment = deploys.rollback(id, DISCARD, AccessFilter.currentUser(request).username());
        return DeploymentView.of(deployment, projects.get(deployment.projectId()).liveDeploymentId(), null);
    }

    /** Keeps the deployment however old it gets: retention never purges a pinned deployment. */
    @POST
    @Audited(AuditAction.DEPLOY_PINNED)
    @Allow(Permission.PROJECT_DEPLOY)
    @jakarta.ws.rs.Path("{deploymentId}/pin")
    public DeploymentView pin(@PathParam("deploymentId") long id) {
        Deployment deployment = retention.pin(id);
        return DeploymentView.of(deployment, projects.get(deployment.projectId()).liveDeploymentId(), null);
    }

    @POST
    @Audited(AuditAction.DEPLOY_UNPINNED)
    @Allow(Permission.PROJECT_DEPLOY)
    @jakarta.ws.rs.Path("{deploymentId}/unpin")
    public DeploymentView unpin(@PathParam("deploymentId") long id) {
        Deployment deployment = retention.unpin(id);
        return DeploymentView.of(deployment, projects.get(deployment.projectId()).liveDeploymentId(), null);
    }

    private static long parseEventId(String lastEventId) {
        if (lastEventId == null || lastEventId.isBlank()) {
            return 0;
        }
        try {
            return Math.max(0, Long.parseLong(lastEventId.strip()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Rollbacks from the API have no build log to write to. */
    static final TaskLog DISCARD = new TaskLog() {
        public void info(String message) {
        }

        public void warn(String message) {
        }

        public void error(String message) {
        }

        public void output(String chunk) {
        }
    };
}
