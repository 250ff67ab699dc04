package io.miaobu.server.persistence;

import java.nio.file.Path;
import java.sql.SQLException;
import java.util.stream.Stream;
import org.jdbi.v3.core.Jdbi;

/**
 * A started, migrated database of one kind for a test that runs on both: H2 in a directory of its own, or PostgreSQL in
 * a fresh schema. {@link #close()} stops it and drops the schema. Use with
 * {@code @MethodSource("io.miaobu.server.persistence.TestDatabase#kinds")}.
 */
public final class TestDatabase implements AutoCloseable {

    private final Database database;
    private final String schema;

    private TestDatabase(Database database, String schema) {
        this.database = database;
        this.schema = schema;
    }

    /** The kinds every database test runs on. */
    public static Stream<String> kinds() {
        return Stream.of("h2", "postgresql");
    }

    /** @param directory a directory for H2's files (a new one below it is used, so one test may open several) */
    public static TestDatabase open(String kind, Path directory) throws Exception {
        TestDatabase opened = switch (kind) {
            case "h2" -> new TestDatabase(TestDatabases.h2(directory.resolve("h2-" + System.nanoTime())), null);
            case "postgresql" -> {
                String schema = TestDatabases.newSchemaName();
                yield new TestDatabase(TestDatabases.postgres(schema), schema);
            }
            default -> throw new IllegalArgumentException("no database kind " + kind);
        };
        opened.database.start();
        return opened;
    }

    public Jdbi jdbi() {
        return database.jdbi();
    }

    @Override
    public void close() throws SQLException {
        database.stop();
        if (schema != null) {
            TestDatabases.dropSchema(schema);
        }
    }
}
