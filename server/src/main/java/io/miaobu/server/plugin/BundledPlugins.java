package io.miaobu.server.plugin;

import io.miaobu.server.boot.ClasspathFolder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The plugins that travel inside miaobu.war under {@code bundled-plugins/}. On first start they are copied into
 * {@code MIAOBU_HOME/plugins}. A marker file records the SHA-256 of each one installed, so that a newer release upgrades
 * a bundled plugin the admin left alone, but never brings back one the admin removed, nor overwrites one the admin
 * replaced.
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
            Map<String, String> installed = readMarker(marker);
            for (String name : ClasspathFolder.list(classLoader, FOLDER)) {
                if (!name.endsWith(".zip")) {
                    continue;
                }
                byte[] bundled;
                try (InputStream in = classLoader.getResourceAsStream(FOLDER + name)) {
                    if (in == null) {
                        continue;
                    }
                    bundled = in.readAllBytes();
                }
                String bundledHash = sha256(bundled);
                Path target = pluginsDirectory.resolve(name);
                String installedHash = installed.get(name);
                if (installedHash == null) {
                    if (!Files.exists(target)) {
                        Files.write(target, bundled);
                        LOG.info("Installed bundled plugin {}", name);
                    }
                } else if (!installedHash.equals(bundledHash)) {
                    if (!Files.exists(target)) {
                        LOG.info("Bundled plugin {} was removed by an admin; not reinstalling it", name);
                    } else if (sha256(Files.readAllBytes(target)).equals(installedHash)) {
                        Files.write(target, bundled);
                        LOG.info("Upgraded bundled plugin {} to the version in this release", name);
                    } else {
                        LOG.info("Plugin {} was replaced by an admin; keeping that version", name);
                    }
                }
                installed.put(name, bundledHash);
            }
            writeMarker(marker, installed);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot install the bundled plugins into " + pluginsDirectory, e);
        }
    }

    private static Map<String, String> readMarker(Path marker) throws IOException {
        var installed = new TreeMap<String, String>();
        if (Files.exists(marker)) {
            for (String line : Files.readAllLines(marker)) {
                String[] parts = line.strip().split("\\s+");
                if (!parts[0].isEmpty()) {
                    installed.put(parts[0], parts.length > 1 ? parts[1] : "");
                }
            }
        }
        return installed;
    }

    private static void writeMarker(Path marker, Map<String, String> installed) throws IOException {
        var lines = new ArrayList<String>();
        installed.forEach((name, hash) -> lines.add(name + " " + hash));
        Files.write(marker, lines);
    }

    private static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
