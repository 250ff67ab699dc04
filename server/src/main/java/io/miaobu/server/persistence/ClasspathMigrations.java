package io.miaobu.server.persistence;

import io.miaobu.server.boot.ClasspathFolder;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.ResourceProvider;
import org.flywaydb.core.api.resource.LoadableResource;

/**
 * Flyway's migrations from {@code db/migration/} on the class path. Flyway's own scanner looks for classes under
 * {@code WEB-INF/classes/} in any jar named {@code *.war}, and so finds nothing in miaobu.war; this lists the folder
 * itself.
 */
final class ClasspathMigrations implements ResourceProvider {

    private static final String FOLDER = "db/migration/";

    private final ClassLoader classLoader;
    private final List<String> names;

    ClasspathMigrations(ClassLoader classLoader) {
        this.classLoader = classLoader;
        this.names = ClasspathFolder.list(classLoader, FOLDER);
    }

    @Override
    public LoadableResource getResource(String name) {
        return names.contains(name) ? new Migration(name) : null;
    }

    @Override
    public Collection<LoadableResource> getResources(String prefix, String... suffixes) {
        return names.stream()
                .filter(name -> name.startsWith(prefix) && Arrays.stream(suffixes).anyMatch(name::endsWith))
                .map(name -> (LoadableResource) new Migration(name))
                .toList();
    }

    private final class Migration extends LoadableResource {
        private final String name;

        Migration(String name) {
            this.name = name;
        }

        @Override
        public Reader read() {
            InputStream in = classLoader.getResourceAsStream(FOLDER + name);
            if (in == null) {
                throw new FlywayException("migration " + name + " disappeared from the class path");
            }
            return new InputStreamReader(in, StandardCharsets.UTF_8);
        }

        @Override
        public String getAbsolutePath() {
            return FOLDER + name;
        }

        @Override
        public String getAbsolutePathOnDisk() {
            return FOLDER + name;
        }

        @Override
        public String getFilename() {
            return name;
        }

        @Override
        public String getRelativePath() {
            return name;
        }
    }
}
