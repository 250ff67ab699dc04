package io.miaobu.server.preview;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.GetGeneratedKeys;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

@RegisterConstructorMapper(Preview.class)
@RegisterConstructorMapper(PreviewSettings.class)
@RegisterConstructorMapper(PreviewDao.LiveSite.class)
public interface PreviewDao {

    @SqlUpdate("""
            INSERT INTO previews (project_id, kind, label, branch, pull_request, head_sha, from_fork, created_at,
                                  updated_at)
            VALUES (:projectId, :kind, :label, :branch, :pullRequest, :headSha, :fromFork, :at, :at)""")
    @GetGeneratedKeys("id")
    long insert(@Bind("projectId") long projectId, @Bind("kind") Preview.Kind kind, @Bind("label") String label,
                @Bind("branch") String branch, @Bind("pullRequest") Integer pullRequest,
                @Bind("headSha") String headSha, @Bind("fromFork") boolean fromFork, @Bind("at") Instant at);

    @SqlUpdate("""
            UPDATE previews SET branch = :branch, head_sha = :headSha, from_fork = :fromFork, updated_at = :at
            WHERE id = :id""")
    int updateHead(@Bind("id") long id, @Bind("branch") String branch, @Bind("headSha") String headSha,
                   @Bind("fromFork") boolean fromFork, @Bind("at") Instant at);

    @SqlQuery("SELECT * FROM previews WHERE id = ?")
    Optional<Preview> findById(long id);

    @SqlQuery("SELECT * FROM previews WHERE project_id = ? AND label = ?")
    Optional<Preview> findByLabel(long projectId, String label);

    @SqlQuery("SELECT * FROM previews WHERE project_id = ? AND kind = 'BRANCH' AND branch = ?")
    Optional<Preview> findBranch(long projectId, String branch);

    @SqlQuery("SELECT * FROM previews WHERE project_id = ? ORDER BY updated_at DESC, id DESC")
    List<Preview> listByProject(long projectId);

    @SqlQuery("SELECT * FROM previews ORDER BY id")
    List<Preview> listAll();

    /** Sets the served deployment unless a newer one is served already; 0 when it is (or the preview is gone). */
    @SqlUpdate("""
            UPDATE previews SET live_deployment_id = :deploymentId, updated_at = :at
            WHERE id = :id AND (live_deployment_id IS NULL OR live_deployment_id < :deploymentId)""")
    int setLiveDeployment(@Bind("id") long id, @Bind("deploymentId") long deploymentId, @Bind("at") Instant at);

    @SqlQuery("SELECT count(*) FROM previews WHERE live_deployment_id = ?")
    int countServing(long deploymentId);

    @SqlUpdate("DELETE FROM previews WHERE id = ?")
    int delete(long id);

    @SqlQuery("SELECT pull_request_previews, branch_previews, fork_previews FROM projects WHERE id = ?")
    Optional<PreviewSettings> settingsOf(long projectId);

    @SqlUpdate("""
            UPDATE projects SET pull_request_previews = :pullRequestPreviews, branch_previews = :branchPreviews,
                   fork_previews = :forkPreviews
            WHERE id = :projectId""")
    int saveSettings(@Bind("projectId") long projectId, @Bind("pullRequestPreviews") boolean pullRequestPreviews,
                     @Bind("branchPreviews") boolean branchPreviews, @Bind("forkPreviews") boolean forkPreviews);

    /** Every preview that serves a deployment, with what the site server needs, for loading at start. */
    @SqlQuery("""
            SELECT v.label, p.slug, p.spa, d.storage_location FROM previews v
            JOIN projects p ON p.id = v.project_id
            JOIN deployments d ON d.id = v.live_deployment_id""")
    List<LiveSite> liveSites();

    record LiveSite(String label, String slug, boolean spa, String storageLocation) {
    }
}
