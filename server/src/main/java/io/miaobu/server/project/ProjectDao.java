package io.miaobu.server.project;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.GetGeneratedKeys;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

@RegisterConstructorMapper(Project.class)
public interface ProjectDao {

    @SqlUpdate("""
            INSERT INTO projects (slug, name, repository_url, branch, root_directory, install_command, build_command,
                                  output_directory, spa, source_provider, builder, deploy_target, created_by,
                                  created_at, updated_at)
            VALUES (:slug, :name, :repositoryUrl, :branch, :rootDirectory, :installCommand, :buildCommand,
                    :outputDirectory, :spa, :sourceProvider, :builder, :deployTarget, :createdBy,
                    :createdAt, :updatedAt)""")
    @GetGeneratedKeys("id")
    long insert(@BindMethods Project project);

    @SqlUpdate("""
            UPDATE projects SET name = :name, branch = :branch, root_directory = :rootDirectory,
                   install_command = :installCommand, build_command = :buildCommand,
                   output_directory = :outputDirectory, spa = :spa, updated_at = :updatedAt
            WHERE id = :id""")
    int updateSettings(@BindMethods Project project);

    @SqlUpdate("UPDATE projects SET live_deployment_id = :deploymentId, updated_at = :at WHERE id = :id")
    int setLiveDeployment(@Bind("id") long id, @Bind("deploymentId") long deploymentId, @Bind("at") Instant at);

    @SqlQuery("SELECT * FROM projects WHERE id = ?")
    Optional<Project> findById(long id);

    @SqlQuery("SELECT * FROM projects WHERE slug = ?")
    Optional<Project> findBySlug(String slug);

    @SqlQuery("SELECT count(*) FROM projects WHERE slug = ?")
    int countBySlug(String slug);

    @SqlQuery("SELECT * FROM projects ORDER BY name, id")
    List<Project> list();

    @SqlQuery("""
            SELECT p.* FROM projects p JOIN project_members m ON m.project_id = p.id
            WHERE m.user_id = ? ORDER BY p.name, p.id""")
    List<Project> listForMember(long userId);

    @SqlQuery("SELECT * FROM projects WHERE live_deployment_id IS NOT NULL")
    List<Project> listWithLiveDeployment();

    @SqlUpdate("DELETE FROM projects WHERE id = ?")
    int delete(long id);
}
