package io.miaobu.server.build;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindList;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import io.miaobu.api.build.BuildPlan;
import org.jdbi.v3.sqlobject.statement.GetGeneratedKeys;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

@RegisterConstructorMapper(Deployment.class)
@RegisterConstructorMapper(StatusChange.class)
public interface DeploymentDao {

    @SqlUpdate("""
            INSERT INTO deployments (project_id, status, trigger_kind, branch, requested_sha, deploy_target,
                                     triggered_by, created_at)
            VALUES (:projectId, 'QUEUED', :triggerKind, :branch, :requestedSha, :deployTarget, :triggeredBy, :at)""")
    @GetGeneratedKeys("id")
    long insertQueued(@Bind("projectId") long projectId, @Bind("triggerKind") String triggerKind,
                      @Bind("branch") String branch, @Bind("requestedSha") String requestedSha,
                      @Bind("deployTarget") String deployTarget, @Bind("triggeredBy") Long triggeredBy,
                      @Bind("at") Instant at);

    @SqlQuery("SELECT * FROM deployments WHERE id = ?")
    Optional<Deployment> findById(long id);

    @SqlQuery("SELECT * FROM deployments WHERE project_id = :projectId ORDER BY id DESC LIMIT :limit")
    List<Deployment> listByProject(@Bind("projectId") long projectId, @Bind("limit") int limit);

    @SqlQuery("""
            SELECT d.* FROM deployments d
            WHERE d.id IN (SELECT max(id) FROM deployments WHERE project_id IN (<projectIds>) GROUP BY project_id)""")
    List<Deployment> latestOfProjects(@BindList("projectIds") Collection<Long> projectIds);

    @SqlQuery("SELECT * FROM deployments WHERE id IN (<ids>)")
    List<Deployment> findByIds(@BindList("ids") Collection<Long> ids);

    /** Queued deployments, oldest first, whose project has nothing running. */
    @SqlQuery("""
            SELECT d.* FROM deployments d
            WHERE d.status = 'QUEUED'
              AND NOT EXISTS (SELECT 1 FROM deployments r
                              WHERE r.project_id = d.project_id AND r.status IN ('CLONING', 'INSTALLING', 'BUILDING', 'UPLOADING'))
            ORDER BY d.id
            LIMIT :limit""")
    List<Deployment> claimable(@Bind("limit") int limit);

    @SqlQuery("""
            SELECT * FROM deployments
            WHERE project_id = ? AND status NOT IN ('LIVE', 'FAILED', 'CANCELLED', 'PURGED')""")
    List<Deployment> listUnfinishedOfProject(long projectId);

    @SqlQuery("""
            SELECT * FROM deployments
            WHERE preview_id = ? AND status NOT IN ('LIVE', 'FAILED', 'CANCELLED', 'PURGED') ORDER BY id""")
    List<Deployment> listUnfinishedOfPreview(long previewId);

    @SqlQuery("SELECT id FROM deployments WHERE project_id = ?")
    List<Long> idsOfProject(long projectId);

    @SqlQuery("SELECT * FROM deployments WHERE status IN ('CLONING', 'INSTALLING', 'BUILDING', 'UPLOADING')")
    List<Deployment> listRunning();

    /** Moves a deployment from one status to another; 0 when it was not in {@code from} (someone else moved it). */
    @SqlUpdate("UPDATE deployments SET status = :to WHERE id = :id AND status = :from")
    int transition(@Bind("id") long id, @Bind("from") DeploymentStatus from, @Bind("to") DeploymentStatus to);

    @SqlUpdate("UPDATE deployments SET status = 'CLONING', started_at = :at WHERE id = :id AND status = 'QUEUED'")
    int claim(@Bind("id") long id, @Bind("at") Instant at);

    @SqlUpdate("""
            UPDATE deployments SET status = :status, error = :error, finished_at = :at
            WHERE id = :id AND status NOT IN ('LIVE', 'FAILED', 'CANCELLED', 'PURGED')""")
    int finish(@Bind("id") long id, @Bind("status") DeploymentStatus status, @Bind("error") String error,
               @Bind("at") Instant at);

    @SqlUpdate("""
            UPDATE deployments SET status = 'CANCELLED', error = :reason, finished_at = :at
            WHERE id = :id AND status = 'QUEUED'""")
    int cancelQueued(@Bind("id") long id, @Bind("reason") String reason, @Bind("at") Instant at);

    @SqlUpdate("""
            UPDATE deployments SET commit_sha = :sha, commit_author = :author, commit_message = :message
            WHERE id = :id""")
    int recordCommit(@Bind("id") long id, @Bind("sha") String sha, @Bind("author") String author,
                     @Bind("message") String message);

    @SqlUpdate("""
            UPDATE deployments SET detected_framework = :framework, detected_package_manager = :packageManager,
                   detected_install_command = :installCommand, detected_build_command = :buildCommand,
                   detected_output_directory = :outputDirectory
            WHERE id = :id""")
    int recordDetectedPlan(@Bind("id") long id, @BindMethods BuildPlan plan);

    /** The latest deployment of the project whose build detected a plan. */
    @SqlQuery("""
            SELECT * FROM deployments WHERE project_id = ? AND detected_framework IS NOT NULL
            ORDER BY id DESC LIMIT 1""")
    Optional<Deployment> latestWithDetectedPlan(long projectId);

    @SqlUpdate("""
            UPDATE deployments SET storage_ref = :ref, storage_location = :location, file_count = :files,
                   total_bytes = :total, uploaded_bytes = :uploaded
            WHERE id = :id""")
    int recordPublication(@Bind("id") long id, @Bind("ref") String ref, @Bind("location") String location,
                          @Bind("files") long files, @Bind("total") long total, @Bind("uploaded") long uploaded);

    /** Publishing progress while the deployment uploads: the totals and how much is done. */
    @SqlUpdate("""
            UPDATE deployments SET file_count = :filesTotal, total_bytes = :bytesTotal,
                   progress_files_done = :filesDone, progress_bytes_done = :bytesDone
            WHERE id = :id""")
    int recordProgress(@Bind("id") long id, @Bind("filesDone") long filesDone, @Bind("filesTotal") long filesTotal,
                       @Bind("bytesDone") long bytesDone, @Bind("bytesTotal") long bytesTotal);

    @SqlUpdate("INSERT INTO deployment_status_changes (deployment_id, status, changed_at) VALUES (?, ?, ?)")
    void recordStatusChange(long deploymentId, DeploymentStatus status, Instant at);

    @SqlQuery("SELECT * FROM deployment_status_changes WHERE deployment_id = ? ORDER BY id")
    List<StatusChange> statusChanges(long deploymentId);
}
