package io.miaobu.server.retention;

import io.miaobu.server.build.DeploymentStatus;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindList;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** The deployments table as retention reads and changes it. */
@RegisterConstructorMapper(RetentionPolicy.Entry.class)
@RegisterConstructorMapper(RetentionDao.IdAndStatus.class)
public interface RetentionDao {

    @SqlQuery("SELECT id FROM projects ORDER BY id")
    List<Long> projectIds();

    @SqlQuery("""
            SELECT id, status, pinned, storage_ref IS NOT NULL AS stored, environment = 'preview' AS preview,
                   preview_id IS NOT NULL AS preview_exists
            FROM deployments
            WHERE project_id = ? ORDER BY id DESC""")
    List<RetentionPolicy.Entry> entriesOf(long projectId);

    @SqlQuery("SELECT live_deployment_id FROM previews WHERE project_id = ? AND live_deployment_id IS NOT NULL")
    Set<Long> previewDeploymentsOf(long projectId);

    @SqlQuery("SELECT id, status FROM deployments WHERE id IN (<ids>)")
    List<IdAndStatus> statusesOf(@BindList("ids") Collection<Long> ids);

    @SqlQuery("SELECT status FROM deployments WHERE id = ?")
    Optional<DeploymentStatus> statusOf(long id);

    /** 0 when it moved on meanwhile, or was pinned. */
    @SqlUpdate("UPDATE deployments SET status = 'PURGED' WHERE id = :id AND status = :from AND pinned = FALSE")
    int markPurged(@Bind("id") long id, @Bind("from") DeploymentStatus from);

    /** Its files are deleted from the deploy target: nothing is stored any more. */
    @SqlUpdate("UPDATE deployments SET storage_ref = NULL, storage_location = NULL WHERE id = ? AND status = 'PURGED'")
    int forgetStorage(long id);

    /** 0 when the deployment is purged (or gone). */
    @SqlUpdate("UPDATE deployments SET pinned = :pinned WHERE id = :id AND status <> 'PURGED'")
    int setPinned(@Bind("id") long id, @Bind("pinned") boolean pinned);

    record IdAndStatus(long id, DeploymentStatus status) {
    }
}
