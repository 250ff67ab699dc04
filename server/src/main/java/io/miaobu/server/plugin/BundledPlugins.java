package io.miaobu.server.plugin;

import io.miaobu.server.boot.ClasspathFolder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLConnection;
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
            Map<String, Record> installed = readMarker(marker);
            for (String name : ClasspathFolder.list(classLoader, FOLDER)) {
                if (!name.endsWith(".zip")) {
                    continue;
                }
                URL resource = classLoader.getResource(FOLDER + name);
                if (resource == null) {
                    continue;
                }
                URLConnection connection = resource.openConnection();
                connection.setUseCaches(false);
                // size and time of the entry in the war: when both are as recorded, the zip is the one installed
                // before, and nothing needs reading or hashing
                String stamp = connection.getContentLengthLong() + "-" + connection.getLastModified();
                Record record = installed.get(name);
                if (record != null && record.stamp().equals(stamp)) {
                    continue;
                }
                byte[] bundled;
                try (InputStream in = connection.getInputStream()) {
                    bundled = in.readAllBytes();
                }
                String bundledHash = sha256(bundled);
                Path target = pluginsDirectory.resolve(name);
                if (record == null) {
                    if (!Files.exists(target)) {
                        Files.write(target, bundled);
                        LOG.info("Installed bundled plugin {}", name);
                    }
                } else if (!record.hash().equals(bundledHash)) {
                    if (!Files.exists(target)) {
                        LOG.info("Bundled plugin {} was removed by an admin; not reinstalling it", name);
                    } else if (sha256(Files.readAllBytes(target)).equals(record.hash())) {
                        Files.write(target, bundled);
                        LOG.info("Upgraded bundled plugin {} to the version in this release", name);
                    } else {
                        LOG.info("Plugin {} was replaced by an admin; keeping that version", name);
                    }
                }
                installed.put(name, new Record(bundledHash, stamp));
            }
            writeMarker(marker, installed);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot install the bundled plugins into " + pluginsDirectory, e);
        }
    }

    /** Each line: the zip's name, the SHA-256 of what was installed, and the size-time stamp of its source. */
    private static Map<String, Record> readMarker(Path marker) throws IOException {
        var installed = new TreeMap<String, Record>();
        if (Files.exists(marker)) {
            for (String line : Files.readAllLines(marker)) {
                String[] parts = line.strip().split("\\s+");
                if (!parts[0].isEmpty()) {
                    installed.put(parts[0], new Record(parts.length > 1 ? parts[1] : "",
                            parts.length > 2 ? parts[2] : ""));
                }
            }
        }
        return installed;
    }

    private static void writeMarker(Path marker, Map<String, Record> installed) throws IOException {
        var lines = new ArrayList<String>();
        installed.forEach((name, record) -> lines.add(name + " " + record.hash() + " " + record.stamp()));
        Files.write(marker, lines);
    }

    private record Record(String hash, String stamp) {
    }

    private static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
