package io.miaobu.server.webhook;

import io.miaobu.api.source.WebhookEvent;
import io.miaobu.server.build.BuildService;
import io.miaobu.server.build.Deployment;
import io.miaobu.server.preview.PreviewRequest;
import io.miaobu.server.preview.Previews;
import io.miaobu.server.project.Project;
import java.util.Set;
import org.jdbi.v3.core.Jdbi;

/**
 * Acts on a verified webhook event: a push to the production branch deploys it, a push to another branch and a pull
 * request deploy previews (as the project's preview settings allow), a closed pull request or deleted branch removes
 * its preview. Says in words why it did nothing when it did nothing.
 */
public final class WebhookHandler {

    /** Pull request actions that (re)build its preview. */
    private static final Set<String> BUILDING_ACTIONS = Set.of("opened", "synchronize", "reopened");

    private final Jdbi jdbi;
    private final BuildService builds;
    private final Previews previews;

    public WebhookHandler(Jdbi jdbi, BuildService builds, Previews previews) {
        this.jdbi = jdbi;
        this.builds = builds;
        this.previews = previews;
    }

    /** What a delivery led to, and what the sender is answered. */
    public record Result(DeliveryOutcome outcome, String reason, int httpStatus, Long deploymentId) {

        static Result processed(String reason) {
            return new Result(DeliveryOutcome.PROCESSED, reason, 200, null);
        }

        static Result queued(Deployment deployment, String what) {
            return new Result(DeliveryOutcome.PROCESSED, what + ": deployment #" + deployment.id() + " queued.", 202,
                    deployment.id());
        }

        static Result ignored(String reason) {
            return new Result(DeliveryOutcome.IGNORED, reason, 200, null);
        }
    }

    public Result handle(Project project, WebhookEvent event) {
        if (event instanceof WebhookEvent.Push push) {
            return push(project, push);
        }
        if (event instanceof WebhookEvent.PullRequest pullRequest) {
            return pullRequest(project, pullRequest);
        }
        if (event instanceof WebhookEvent.Ignored ignored) {
            return Result.ignored(ignored.reason());
        }
        return Result.processed("Ping answered.");
    }

    private Result push(Project project, WebhookEvent.Push push) {
        boolean production = push.branch().equals(project.branch());
        if (push.deleted()) {
            if (production) {
                return Result.ignored("The production branch " + push.branch() + " was deleted; the live site"
                        + " stays as it is.");
            }
            return previews.removeBranch(project, push.branch())
                    .map(removed -> Result.processed("Branch " + push.branch() + " was deleted: its preview was"
                            + " removed."))
                    .orElseGet(() -> Result.ignored("Branch " + push.branch() + " was deleted; it had no preview."));
        }
        if (production) {
            if (alreadyDeployed(project, push.commitSha())) {
                return Result.ignored("Commit already deployed: " + shortSha(push.commitSha())
                        + " is live or being deployed.");
            }
            return Result.queued(builds.enqueue(project, null, "push", push.commitSha()),
                    "Push to " + push.branch());
        }
        return preview(previews.deployBranch(project, push.branch(), push.commitSha(), "push"),
                "Push to " + push.branch(), "Branch not deployed: ");
    }

    private Result pullRequest(Project project, WebhookEvent.PullRequest pullRequest) {
        int number = pullRequest.number();
        if (BUILDING_ACTIONS.contains(pullRequest.action())) {
            return preview(previews.deployPullRequest(project, number, pullRequest.headBranch(),
                            pullRequest.headSha(), pullRequest.fromFork(), "pull_request"),
                    "Pull request #" + number + " " + pullRequest.action(), "Pull request #" + number
                            + " not deployed: ");
        }
        if ("closed".equals(pullRequest.action())) {
            return previews.closePullRequest(project, number)
                    .map(removed -> Result.processed("Pull request #" + number + " was closed: its preview was"
                            + " removed."))
                    .orElseGet(() -> Result.ignored("Pull request #" + number + " was closed; it had no preview."));
        }
        return Result.ignored("Pull request action '" + pullRequest.action() + "' needs no deployment.");
    }

    private static Result preview(PreviewRequest request, String what, String ignoredPrefix) {
        return request.queuedDeployment()
                .map(deployment -> Result.queued(deployment, what))
                .orElseGet(() -> Result.ignored(ignoredPrefix + request.ignoredReason() + "."));
    }

    /** The commit is the live production deployment's, or a production deployment of it is queued or running. */
    private boolean alreadyDeployed(Project project, String sha) {
        return jdbi.withHandle(handle -> handle.createQuery("""
                        SELECT count(*) FROM deployments d
                        WHERE d.project_id = :project AND d.preview_id IS NULL AND (
                            (d.id = (SELECT live_deployment_id FROM projects WHERE id = :project)
                                AND d.commit_sha = :sha)
                            OR (d.requested_sha = :sha
                                AND d.status IN ('QUEUED', 'CLONING', 'INSTALLING', 'BUILDING', 'UPLOADING')))""")
                .bind("project", project.id()).bind("sha", sha)
                .mapTo(Integer.class).one()) > 0;
    }

    private static String shortSha(String sha) {
        return sha.length() > 7 ? sha.substring(0, 7) : sha;
    }
}
