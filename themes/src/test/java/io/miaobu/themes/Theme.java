package io.miaobu.themes;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/** A theme on the classpath and its parent chain, resolved the way the server's ThemeManager does. */
record Theme(String name, List<String> chain) {

    static final List<String> ALL = List.of("base", "midnight");

    static Theme load(String name) {
        List<String> chain = new ArrayList<>();
        String current = name;
        while (current != null) {
            if (chain.contains(current)) {
                throw new IllegalStateException("theme parent cycle: " + chain + " -> " + current);
            }
            chain.add(current);
            current = properties(current).getProperty("parent");
        }
        return new Theme(name, List.copyOf(chain));
    }

    static Properties properties(String theme) {
        Properties properties = readProperties("themes/" + theme + "/theme.properties");
        if (properties == null) {
            throw new IllegalArgumentException("no theme.properties for theme " + theme);
        }
        return properties;
    }

    /** The first theme in the chain that has the file, or null. */
    URL resource(String pathInTheme) {
        for (String theme : chain) {
            URL url = Theme.class.getClassLoader().getResource("themes/" + theme + "/" + pathInTheme);
            if (url != null) {
                return url;
            }
        }
        return null;
    }

    static Properties readProperties(String classpathPath) {
        try (InputStream in = Theme.class.getClassLoader().getResourceAsStream(classpathPath)) {
            if (in == null) {
                return null;
            }
            Properties properties = new Properties();
            properties.load(new InputStreamReader(in, StandardCharsets.UTF_8));
            return properties;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
