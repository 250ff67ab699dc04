package io.miaobu.server.build;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.reflect.ConstructorMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The build queue in the deployments table. Claims lock the project's row ({@code SELECT … FOR UPDATE}) so that two
 * nodes sharing PostgreSQL never exceed a project's limit; every state change is a conditional update, so no
 * deployment is claimed twice or finished twice.
 */
public final class DatabaseBuildQueue implements BuildQueue {

    private static final Logger LOG = LoggerFactory.getLogger(DatabaseBuildQueue.class);
    private static final String RUNNING = "('CLONING', 'INSTALLING', 'BUILDING', 'UPLOADING')";

    private final Jdbi jdbi;
    private final Clock clock;

    public DatabaseBuildQueue(Jdbi jdbi, Clock clock) {
        this.jdbi = jdbi;
        this.clock = clock;
    }

    @Override
    public Deployment enqueue(NewDeployment request) {
        Instant now = clock.instant();
        long id = jdbi.inTransaction(handle -> {
            long newId = handle.createUpdate("""
                            INSERT INTO deployments (project_id, status, trigger_kind, branch, requested_sha, deploy_target,
                                                     triggered_by, created_at, environment, retry_of, preview_id,
                                                     trusted, pull_request)
                            VALUES (:projectId, 'QUEUED', :triggerKind, :branch, :requestedSha, :deployTarget,
                                    :triggeredBy, :at, :environment, :retryOf, :previewId, :trusted, :pullRequest)""")
                    .bindMethods(request)
                    .bind("at", now)
                    .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
            DeploymentDao dao = handle.attach(DeploymentDao.class);
            dao.recordStatusChange(newId, DeploymentStatus.QUEUED, now);
            // a preview's deployments supersede each other whatever their branch (a fork's branch may be called
            // like one of the repository's); production's by branch and environment
            List<Long> older = request.previewId() != null
                    ? handle.createQuery("""
                            SELECT id FROM deployments
                            WHERE preview_id = :previewId AND status = 'QUEUED' AND id < :id""")
                    .bind("previewId", request.previewId()).bind("id", newId)
                    .mapTo(Long.class).list()
                    : handle.createQuery("""
                            SELECT id FROM deployments
                            WHERE project_id = :projectId AND branch = :branch AND environment = :environment
                              AND preview_id IS NULL AND status = 'QUEUED' AND id < :id""")
                    .bind("projectId", request.projectId()).bind("branch", request.branch())
                    .bind("environment", request.environment()).bind("id", newId)
                    .mapTo(Long.class).list();
            for (long superseded : older) {
                if (dao.cancelQueued(superseded, "Superseded by deployment #" + newId + ".", now) == 1) {
                    dao.recordStatusChange(superseded, DeploymentStatus.CANCELLED, now);
                }
            }
            return newId;
        });
        return find(id).orElseThrow();
    }

    @Override
    public List<Deployment> claim(String nodeId, int max) {
        if (max <= 0) {
            return List.of();
        }
        record Candidate(long id, long projectId) {
        }
        List<Candidate> candidates = jdbi.withHandle(handle -> handle.createQuery("""
                        SELECT d.id, d.project_id FROM deployments d JOIN projects p ON p.id = d.project_id
                        WHERE d.status = 'QUEUED'
                          AND (SELECT count(*) FROM deployments r
                               WHERE r.project_id = d.project_id AND r.status IN """ + RUNNING + ")"
                        + " < p.max_concurrent_builds ORDER BY d.id LIMIT :limit")
                .bind("limit", max * 4)
                .map((rs, ctx) -> new Candidate(rs.getLong(1), rs.getLong(2)))
                .list());
        var claimed = new ArrayList<Deployment>();
        for (Candidate candidate : candidates) {
            if (claimed.size() >= max) {
                break;
            }
            Instant now = clock.instant();
            boolean won = jdbi.inTransaction(handle -> {
                // the project's row is the lock: two nodes cannot both see room for one more build
                Optional<Integer> limit = handle.createQuery(
                                "SELECT max_concurrent_builds FROM projects WHERE id = ? FOR UPDATE")
                        .bind(0, candidate.projectId()).mapTo(Integer.class).findOne();
                if (limit.isEmpty()) {
                    return false;
                }
                long running = handle.createQuery("SELECT count(*) FROM deployments WHERE project_id = ? AND status IN "
                        + RUNNING).bind(0, candidate.projectId()).mapTo(Long.class).one();
                if (running >= limit.get()) {
                    return false;
                }
                return handle.createUpdate("""
                                UPDATE deployments SET status = 'CLONING', started_at = :at, claimed_by = :node,
                                       heartbeat_at = :at
                                WHERE id = :id AND status = 'QUEUED'""")
                        .bind("at", now).bind("node", nodeId).bind("id", candidate.id()).execute() == 1;
            });
            if (won) {
                find(candidate.id()).ifPresent(claimed::add);
            }
        }
        return claimed;
    }

    @Override
    public Map<Long, String> heartbeat(String nodeId, Collection<Long> running) {
        if (running.isEmpty()) {
            return Map.of();
        }
        Instant now = clock.instant();
        return jdbi.withHandle(handle -> {
            handle.createUpdate("UPDATE deployments SET heartbeat_at = :at WHERE claimed_by = :node AND id IN (<ids>)"
                            + " AND status IN " + RUNNING)
                    .bind("at", now).bind("node", nodeId).bindList("ids", List.copyOf(running)).execute();
            var requests = new HashMap<Long, String>();
            handle.createQuery("SELECT id, cancel_requested FROM deployments WHERE id IN (<ids>)"
                            + " AND cancel_requested IS NOT NULL")
                    .bindList("ids", List.copyOf(running))
                    .map((rs, ctx) -> Map.entry(rs.getLong(1), rs.getString(2)))
                    .forEach(entry -> requests.put(entry.getKey(), entry.getValue()));
            return requests;
        });
    }

    @Override
    public List<Deployment> recoverAfterRestart(String nodeId) {
        List<Deployment> held = jdbi.withHandle(handle -> handle
                .createQuery("SELECT * FROM deployments WHERE claimed_by = ? AND status IN " + RUNNING)
                .bind(0, nodeId).map(ConstructorMapper.of(Deployment.class)).list());
        return failAndRetry(held, "Interrupted by server restart.");
    }

    @Override
    public List<Deployment> failSilent(Duration silence, Set<Long> ownRunning) {
        Instant cutoff = clock.instant().minus(silence);
        List<Deployment> silent = jdbi.withHandle(handle -> handle.createQuery("SELECT * FROM deployments"
                        + " WHERE status IN " + RUNNING
                        + " AND (heartbeat_at < :cutoff OR (heartbeat_at IS NULL AND started_at < :cutoff))")
                .bind("cutoff", cutoff).map(ConstructorMapper.of(Deployment.class)).list())
                .stream().filter(d -> !ownRunning.contains(d.id())).toList();
        return failAndRetry(silent, "No sign of life from its build server for " + silence.toSeconds()
                + " s (the server stopped or hangs).");
    }

    private List<Deployment> failAndRetry(List<Deployment> deployments, String reason) {
        var failed = new ArrayList<Deployment>();
        for (Deployment deployment : deployments) {
            Instant now = clock.instant();
            Optional<Long> retry = jdbi.inTransaction(handle -> {
                DeploymentDao dao = handle.attach(DeploymentDao.class);
                if (dao.finish(deployment.id(), DeploymentStatus.FAILED, reason, now) != 1) {
                    return Optional.<Long>empty();
                }
                dao.recordStatusChange(deployment.id(), DeploymentStatus.FAILED, now);
                failed.add(deployment);
                return retryIfAllowed(handle, deployment);
            });
            LOG.warn("Deployment {} failed: {}{}", deployment.id(), reason,
                    retry.map(id -> " Queued it again as deployment " + id + ".").orElse(""));
        }
        return failed;
    }

    /** Queues the interrupted deployment once more, if its project allows it and it is not itself a retry. */
    private Optional<Long> retryIfAllowed(Handle handle, Deployment interrupted) {
        boolean allowed = handle.createQuery("SELECT retry_interrupted FROM projects WHERE id = ?")
                .bind(0, interrupted.projectId()).mapTo(Boolean.class).findOne().orElse(false);
        if (!allowed || interrupted.retryOf() != null) {
            return Optional.empty();
        }
        String commit = interrupted.commitSha() != null ? interrupted.commitSha() : interrupted.requestedSha();
        Instant now = clock.instant();
        long id = handle.createUpdate("""
                        INSERT INTO deployments (project_id, status, trigger_kind, branch, requested_sha, deploy_target,
                                                 triggered_by, created_at, environment, retry_of, preview_id, trusted,
                                                 pull_request)
                        VALUES (?, 'QUEUED', 'retry', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")
                .bind(0, interrupted.projectId()).bind(1, interrupted.branch()).bind(2, commit)
                .bind(3, interrupted.deployTarget()).bind(4, interrupted.triggeredBy()).bind(5, now)
                .bind(6, interrupted.environment()).bind(7, interrupted.id())
                // a retry is exactly as trusted as what it re-runs: a fork's build never gains the secrets
                .bind(8, interrupted.previewId()).bind(9, interrupted.trusted()).bind(10, interrupted.pullRequest())
                .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
        handle.attach(DeploymentDao.class).recordStatusChange(id, DeploymentStatus.QUEUED, now);
        return Optional.of(id);
    }

    @Override
    public boolean cancelQueued(long deploymentId, String reason) {
        Instant now = clock.instant();
        return jdbi.inTransaction(handle -> {
            DeploymentDao dao = handle.attach(DeploymentDao.class);
            if (dao.cancelQueued(deploymentId, reason, now) != 1) {
                return false;
            }
            dao.recordStatusChange(deploymentId, DeploymentStatus.CANCELLED, now);
            return true;
        });
    }

    @Override
    public boolean requestCancel(long deploymentId, String reason) {
        return jdbi.withHandle(handle -> handle.createUpdate(
                        "UPDATE deployments SET cancel_requested = ? WHERE id = ? AND status IN " + RUNNING)
                .bind(0, reason).bind(1, deploymentId).execute()) == 1;
    }

    @Override
    public int clearProject(long projectId, String reason) {
        List<Long> queued = jdbi.withHandle(handle -> handle
                .createQuery("SELECT id FROM deployments WHERE project_id = ? AND status = 'QUEUED'")
                .bind(0, projectId).mapTo(Long.class).list());
        int cleared = 0;
        for (long id : queued) {
            if (cancelQueued(id, reason)) {
                cleared++;
            }
        }
        return cleared;
    }

    @Override
    public List<QueueEntry> active() {
        return jdbi.withHandle(handle -> {
            var entries = new ArrayList<QueueEntry>();
            int[] position = {0};
            handle.createQuery("""
                            SELECT d.*, p.slug AS project_slug FROM deployments d JOIN projects p ON p.id = d.project_id
                            WHERE d.status IN ('QUEUED', 'CLONING', 'INSTALLING', 'BUILDING', 'UPLOADING')
                            ORDER BY CASE WHEN d.status = 'QUEUED' THEN 1 ELSE 0 END, d.id""")
                    .map((rs, ctx) -> {
                        Deployment deployment = ConstructorMapper.of(Deployment.class).specialize(rs, ctx).map(rs, ctx);
                        Timestamp heartbeat = rs.getTimestamp("heartbeat_at");
                        boolean queued = deployment.status() == DeploymentStatus.QUEUED;
                        return new QueueEntry(deployment, rs.getString("project_slug"), rs.getString("claimed_by"),
                                heartbeat == null ? null : heartbeat.toInstant(), queued ? ++position[0] : 0);
                    })
                    .forEach(entries::add);
            return entries;
        });
    }

    private Optional<Deployment> find(long id) {
        return jdbi.withHandle(handle -> handle.attach(DeploymentDao.class).findById(id));
    }
}
