package io.miaobu.server.persistence;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.miaobu.server.boot.Managed;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.sqlobject.SqlObjectPlugin;

/**
 * The database: a HikariCP pool, migrated by Flyway at start, used through Jdbi. H2 by default, PostgreSQL in
 * production; every migration runs on both.
 */
public final class Database implements Managed {

    private final HikariDataSource dataSource;
    private final Jdbi jdbi;

    public Database(String url, String user, String password, int maxPoolSize) {
        var config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(maxPoolSize);
        config.setPoolName("miaobu-db");
        // Created lazily: start() migrates first and fails loudly when the database is unreachable.
        config.setInitializationFailTimeout(-1);
        this.dataSource = new HikariDataSource(config);
        this.jdbi = Jdbi.create(dataSource).installPlugin(new SqlObjectPlugin());
    }

    @Override
    public void start() {
        Flyway.configure()
                .dataSource(dataSource)
                .resourceProvider(new ClasspathMigrations(Database.class.getClassLoader()))
                .load()
                .migrate();
    }

    @Override
    public void stop() {
        dataSource.close();
    }

    public Jdbi jdbi() {
        return jdbi;
    }

    public DataSource dataSource() {
        return dataSource;
    }

    /** Whether a connection can be had and answers, for the readiness check. */
    public boolean isReachable() {
        try {
            return jdbi.withHandle(h -> h.createQuery("SELECT 1").mapTo(Integer.class).one()) == 1;
        } catch (RuntimeException e) {
            return false;
        }
    }
}
