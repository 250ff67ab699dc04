package io.miaobu.themes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The themes' files as compiled onto the test classpath (target/classes/themes). */
final class ThemeSources {

    private ThemeSources() {
    }

    static Path root(String theme) {
        URL url = ThemeSources.class.getClassLoader().getResource("themes/" + theme + "/theme.properties");
        if (url == null) {
            throw new IllegalArgumentException("no theme " + theme);
        }
        try {
            return Path.of(url.toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<Path> files(String theme, String extension) {
        try (Stream<Path> files = Files.walk(root(theme))) {
            return files.filter(Files::isRegularFile).filter(p -> p.toString().endsWith(extension)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Templates a theme can reach: its own, then each parent's not overridden by a child. */
    static List<Path> reachableTemplates(Theme theme) {
        java.util.Map<String, Path> byRelativePath = new java.util.LinkedHashMap<>();
        for (String name : theme.chain()) {
            Path root = root(name);
            for (Path file : files(name, ".ftlh")) {
                byRelativePath.putIfAbsent(root.relativize(file).toString(), file);
            }
        }
        return List.copyOf(byRelativePath.values());
    }

    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
