package io.miaobu.server.boot;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Lists the files directly in a folder on the class path, from a directory or from inside a jar (whatever its file
 * name ends with: miaobu.war is a jar too, which some libraries' scanners take for a servlet war).
 */
public final class ClasspathFolder {

    private ClasspathFolder() {
    }

    /** File names (not paths) directly in {@code folder} (e.g. {@code "db/migration/"}), sorted. */
    public static List<String> list(ClassLoader classLoader, String folder) {
        String prefix = folder.endsWith("/") ? folder : folder + "/";
        URL url = classLoader.getResource(prefix);
        if (url == null) {
            return List.of();
        }
        var names = new ArrayList<String>();
        try {
            if ("jar".equals(url.getProtocol())) {
                var connection = (JarURLConnection) url.openConnection();
                connection.setUseCaches(false);
                try (JarFile jar = connection.getJarFile()) {
                    Enumeration<JarEntry> entries = jar.entries();
                    while (entries.hasMoreElements()) {
                        String entry = entries.nextElement().getName();
                        if (entry.startsWith(prefix) && entry.length() > prefix.length()
                                && entry.indexOf('/', prefix.length()) < 0) {
                            names.add(entry.substring(prefix.length()));
                        }
                    }
                }
            } else if ("file".equals(url.getProtocol())) {
                try (Stream<Path> files = Files.list(Path.of(url.toURI()))) {
                    files.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).forEach(names::add);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + prefix + " on the class path", e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        names.sort(null);
        return names;
    }
}
