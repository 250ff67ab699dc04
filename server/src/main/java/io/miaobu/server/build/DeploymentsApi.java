package io.miaobu.server.build;

import io.miaobu.server.audit.AuditAction;
import io.miaobu.server.audit.Audited;
import io.miaobu.server.auth.AccessFilter;
import io.miaobu.server.auth.Allow;
import io.miaobu.server.auth.Permission;
import io.miaobu.server.build.BuildLogs;
import io.miaobu.server.build.BuildService;
import io.miaobu.server.build.Deployment;
import io.miaobu.server.build.DeploymentView;
import io.miaobu.server.build.LogEvent;
import io.miaobu.server.deploy.DeployService;
import io.miaobu.server.project.ProjectService;
import io.miaobu.server.retention.RetentionService;
import io.miaobu.api.host.TaskLog;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.glassfish.jersey.server.ContainerRequest;

@jakarta.ws.rs.Path("api/v1/deployments")
@Produces(MediaType.APPLICATION_JSON)
@Allow(Permission.PROJECT_VIEW)
public final class DeploymentsApi {

    private static final long HEARTBEAT_SECONDS = 15;
    private static final long STATUS_RECHECK_MILLIS = 1_000;

    private final BuildService builds;
    private final ProjectService projects;
    private final DeployService deploys;
    private final BuildLogs logs;
    private final RetentionService retention;

    public DeploymentsApi(BuildService builds, ProjectService projects, DeployService deploys, BuildLogs logs,
                          RetentionService retention) {
        this.builds = builds;
        this.projects = projects;
        this.deploys = deploys;
        this.logs = logs;
        this.retention = retention;
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
     * {@code Last-Event-ID} (or the query parameter {@code after}), then new lines and status changes (event {@code status}) as they happen, then
     * {@code end}. Runs on the request thread until the build ends or the client leaves.
     */
    @GET
    @jakarta.ws.rs.Path("{deploymentId}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void events(@PathParam("deploymentId") long id, @HeaderParam("Last-Event-ID") String lastEventId,
                       @QueryParam("after") String afterLine, @Context SseEventSink sink, @Context Sse sse) {
        builds.get(id);
        // Last-Event-ID (a reconnect) wins over ?after= (where the page's embedded log ends)
        long after = lastEventId == null || lastEventId.isBlank() ? parseEventId(afterLine)
                : parseEventId(lastEventId);
        BlockingQueue<LogEvent> queue = new LinkedBlockingQueue<>();
        try (sink) {
            if (!awaitLogOrEnd(id, sink, sse)) {
                return;
            }
            if (!logs.isActive(id)) {
                // a finished log: straight from the file to the client, one event at a time, so a late client of a
                // huge log costs no memory (it waits for the client instead of queueing the whole log)
                try (AutoCloseable replay = logs.follow(id, after, event -> send(sink, sse, event))) {
                    return;
                }
            }
            try (AutoCloseable subscription = logs.follow(id, after, queue::add)) {
                while (!sink.isClosed()) {
                    LogEvent event = queue.poll(HEARTBEAT_SECONDS, TimeUnit.SECONDS);
                    if (event == null) {
                        sink.send(sse.newEventBuilder().comment("keep-alive").build()).toCompletableFuture().join();
                        continue;
                    }
                    sink.send(toSse(event, sse)).toCompletableFuture().join();
                    if (event instanceof LogEvent.End) {
                        return;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // the client went away
        }
    }

    /**
     * A queued deployment has no log yet: wait (sending its status and keep-alives) until its build starts writing
     * one or it ends without one (cancelled while queued).
     *
     * @return false when the client left meanwhile
     */
    private boolean awaitLogOrEnd(long id, SseEventSink sink, Sse sse) throws InterruptedException {
        long lastSignal = 0;
        DeploymentStatus lastStatus = null;
        while (!logs.isActive(id)) {
            DeploymentStatus status = builds.get(id).status();
            if (status.isFinal()) {
                return true;
            }
            if (status != lastStatus || System.nanoTime() - lastSignal > TimeUnit.SECONDS.toNanos(HEARTBEAT_SECONDS)) {
                sink.send(sse.newEventBuilder().name("status").data(status.name()).build()).toCompletableFuture().join();
                lastStatus = status;
                lastSignal = System.nanoTime();
            }
            if (sink.isClosed()) {
                return false;
            }
            // woken as soon as the build opens its log; the status is looked at again now and then, since a
            // deployment cancelled while queued never opens one
            logs.awaitActive(id, STATUS_RECHECK_MILLIS);
        }
        return true;
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

    private static void send(SseEventSink sink, Sse sse, LogEvent event) {
        if (sink.isClosed()) {
            throw new IllegalStateException("the client went away");
        }
        sink.send(toSse(event, sse)).toCompletableFuture().join();
    }

    private static OutboundSseEvent toSse(LogEvent event, Sse sse) {
        if (event instanceof LogEvent.Line line) {
            // an event without data is never dispatched (and Jersey writes no data field for ""): an empty line is
            // sent as one space, so it still arrives and its id keeps the count
            String text = line.text().isEmpty() ? " " : line.text();
            return sse.newEventBuilder().name("line").id(Long.toString(line.number())).data(text).build();
        }
        if (event instanceof LogEvent.Status status) {
            return sse.newEventBuilder().name("status").data(status.status().name()).build();
        }
        return sse.newEventBuilder().name("end").data("end").build();
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
