package io.miaobu.server.plugin;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The plugins that travel inside miaobu.war under {@code bundled-plugins/}. On first start (no plugin of that name in
 * {@code MIAOBU_HOME/plugins} yet) they are copied there; a plugin the admin removed later is not brought back, because
 * a marker of what was installed is kept.
 */
public final class BundledPlugins {

    private static final Logger LOG = LoggerFactory.getLogger(BundledPlugins.class);
    private static final String FOLDER = "bundled-plugins/";
    private static final String MARKER = ".bundled-installed";

    private BundledPlugins() {
    }

    public static void installInto(Path pluginsDirectory, ClassLoader classLoader) {
        try {
            Files.createDirectories(pluginsDirectory);
            Path marker = pluginsDirectory.resolve(MARKER);
            List<String> alreadyInstalled = Files.exists(marker) ? Files.readAllLines(marker) : List.of();
            var installed = new ArrayList<>(alreadyInstalled);
            for (String name : list(classLoader)) {
                if (alreadyInstalled.contains(name)) {
                    continue;
                }
                Path target = pluginsDirectory.resolve(name);
                try (InputStream in = classLoader.getResourceAsStream(FOLDER + name)) {
                    if (in == null) {
                        continue;
                    }
                    Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                }
                installed.add(name);
                LOG.info("Installed bundled plugin {}", name);
            }
            Files.write(marker, installed);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot install the bundled plugins into " + pluginsDirectory, e);
        }
    }

    private static List<String> list(ClassLoader classLoader) throws IOException {
        URL folder = classLoader.getResource(FOLDER);
        if (folder == null) {
            return List.of();
        }
        var names = new ArrayList<String>();
        if ("jar".equals(folder.getProtocol())) {
            var connection = (JarURLConnection) folder.openConnection();
            connection.setUseCaches(false);
            try (JarFile jar = connection.getJarFile()) {
                Enumeration<JarEntry> entries = jar.entries();
                while (entries.hasMoreElements()) {
                    String entry = entries.nextElement().getName();
                    if (entry.startsWith(FOLDER) && entry.endsWith(".zip") && entry.indexOf('/', FOLDER.length()) < 0) {
                        names.add(entry.substring(FOLDER.length()));
                    }
                }
            }
        } else if ("file".equals(folder.getProtocol())) {
            try (Stream<Path> files = Files.list(Path.of(folder.toURI()))) {
                files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".zip")).forEach(names::add);
            } catch (URISyntaxException e) {
                throw new IOException(e);
            }
        }
        names.sort(null);
        return names;
    }
}
