package io.miaobu.server.persistence;

import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.UUID;

/**
 * The databases every DAO test runs against: an H2 file database, and a fresh schema in the local PostgreSQL
 * (127.0.0.1:5432, database {@code test}, trust auth; {@code .ci/run} makes sure it runs). The PostgreSQL URL can be
 * changed with {@code MIAOBU_TEST_POSTGRES_URL}.
 */
public final class TestDatabases {

    static final String POSTGRES_URL = System.getenv().getOrDefault("MIAOBU_TEST_POSTGRES_URL",
            "jdbc:postgresql://127.0.0.1:5432/test");
    static final String POSTGRES_USER = System.getenv().getOrDefault("MIAOBU_TEST_POSTGRES_USER", "postgres");

    private TestDatabases() {
    }

    public static Database h2(Path directory) {
        return new Database("jdbc:h2:file:" + directory.resolve("miaobu") + ";DB_CLOSE_ON_EXIT=FALSE", "sa", "", 4);
    }

    /** A database in a new, empty schema; drop it with {@link #dropSchema}. */
    public static Database postgres(String schema) throws SQLException {
        try (var connection = DriverManager.getConnection(POSTGRES_URL, POSTGRES_USER, "");
             var statement = connection.createStatement()) {
            statement.execute("CREATE SCHEMA " + schema);
        }
        return new Database(POSTGRES_URL + "?currentSchema=" + schema, POSTGRES_USER, "", 4);
    }

    public static void dropSchema(String schema) throws SQLException {
        try (var connection = DriverManager.getConnection(POSTGRES_URL, POSTGRES_USER, "");
             var statement = connection.createStatement()) {
            statement.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    public static String newSchemaName() {
        return "miaobu_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }
}
