package io.miaobu.server.plugin;

import io.miaobu.server.web.UserFacingException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.regex.Pattern;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.pf4j.PluginDependency;

/**
 * A plugin zip, checked through its central directory before anything of it is unpacked: every entry's name stays
 * inside the plugin's folder (no absolute paths, no {@code ..}, no drive letters or backslashes), no entry is a
 * symbolic link, and the entry count, the declared unpacked size and each entry's compression ratio are within
 * {@link Limits}. {@code plugin.properties} at the root must name an id and a version. Unpacking counts the bytes
 * actually inflated, so a zip whose headers understate its sizes is stopped at the limit too.
 */
public final class PluginArchive {

    /** Plugin ids become file names and URL path segments. */
    static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final int UNIX_FILE_TYPE = 0170000;
    private static final int UNIX_SYMLINK = 0120000;
    /** Small entries may compress well (a file of spaces): only larger entries have their ratio checked. */
    private static final long RATIO_FLOOR = 64 * 1024;

    /**
     * How big a plugin zip may be.
     *
     * @param maxZipBytes      the zip file itself
     * @param maxUnpackedBytes all entries together, unpacked
     * @param maxEntries       the number of entries
     * @param maxRatio         unpacked size ÷ compressed size of one entry (entries over 64 KiB)
     */
    public record Limits(long maxZipBytes, long maxUnpackedBytes, int maxEntries, int maxRatio) {
        public static final Limits DEFAULTS = new Limits(100L << 20, 500L << 20, 10_000, 100);
    }

    /** What {@code plugin.properties} says, with PF4J's reading of the dependencies. */
    public record Descriptor(String id, String version, String requires, List<PluginDependency> dependencies,
                             String description, String provider, String license) {
    }

    private final Path zip;
    private final Limits limits;
    private final Descriptor descriptor;

    private PluginArchive(Path zip, Limits limits, Descriptor descriptor) {
        this.zip = zip;
        this.limits = limits;
        this.descriptor = descriptor;
    }

    /**
     * Checks a zip without unpacking it.
     *
     * @throws UserFacingException 400 ({@code file}) saying what is wrong with it
     */
    public static PluginArchive check(Path zip, Limits limits) {
        long zipSize;
        try {
            zipSize = Files.size(zip);
        } catch (IOException e) {
            throw refused("The plugin file cannot be read: " + e.getMessage());
        }
        if (zipSize > limits.maxZipBytes()) {
            throw refused("The plugin file is " + zipSize + " bytes; at most " + limits.maxZipBytes()
                    + " are accepted.");
        }
        try (ZipFile file = ZipFile.builder().setPath(zip).get()) {
            List<ZipArchiveEntry> entries = Collections.list(file.getEntriesInPhysicalOrder());
            if (entries.size() > limits.maxEntries()) {
                throw refused("The plugin zip has " + entries.size() + " entries; at most " + limits.maxEntries()
                        + " are accepted.");
            }
            long total = 0;
            ZipArchiveEntry properties = null;
            for (ZipArchiveEntry entry : entries) {
                String name = entry.getName();
                checkName(name);
                if (entry.isUnixSymlink() || (entry.getUnixMode() & UNIX_FILE_TYPE) == UNIX_SYMLINK) {
                    throw refused("The plugin zip holds a symbolic link, '" + name + "'; links are not accepted.");
                }
                long size = entry.getSize();
                long compressed = entry.getCompressedSize();
                if (size < 0 || compressed < 0) {
                    throw refused("The plugin zip does not declare the size of '" + name + "'.");
                }
                total += size;
                if (total > limits.maxUnpackedBytes()) {
                    throw refused("The plugin zip unpacks to more than " + limits.maxUnpackedBytes()
                            + " bytes; it is refused.");
                }
                if (size > RATIO_FLOOR && size > compressed * limits.maxRatio()) {
                    throw refused("The entry '" + name + "' unpacks to " + size + " bytes from " + compressed
                            + ": more than " + limits.maxRatio() + " times its packed size, as a zip bomb does."
                            + " It is refused.");
                }
                if (name.equals("plugin.properties")) {
                    properties = entry;
                }
            }
            if (properties == null) {
                throw refused("The zip has no plugin.properties at its root, so it is not a Miaobu plugin.");
            }
            if (properties.getSize() > 64 * 1024) {
                throw refused("plugin.properties is larger than 64 KiB.");
            }
            String text;
            try (InputStream in = file.getInputStream(properties)) {
                text = new String(in.readNBytes(64 * 1024 + 1), StandardCharsets.UTF_8);
            }
            return new PluginArchive(zip, limits, descriptorOf(text));
        } catch (IOException e) {
            throw refused("The file is not a readable zip: " + e.getMessage());
        }
    }

    public Descriptor descriptor() {
        return descriptor;
    }

    public Path zip() {
        return zip;
    }

    /**
     * Unpacks into {@code directory} (created; it must not exist). Stops, leaving nothing behind, when the bytes
     * actually inflated go over the limits.
     *
     * @throws UserFacingException 400 when the zip's headers understated its size
     */
    public void unpackTo(Path directory) throws IOException {
        Files.createDirectories(directory.getParent());
        Files.createDirectory(directory);
        try (ZipFile file = ZipFile.builder().setPath(zip).get()) {
            long total = 0;
            byte[] buffer = new byte[64 * 1024];
            for (ZipArchiveEntry entry : Collections.list(file.getEntriesInPhysicalOrder())) {
                Path target = directory.resolve(entry.getName()).normalize();
                if (!target.startsWith(directory)) {
                    throw refused("The entry '" + entry.getName() + "' leads outside the plugin's folder.");
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(target);
                    continue;
                }
                Files.createDirectories(target.getParent());
                long entryBytes = 0;
                try (InputStream in = file.getInputStream(entry); OutputStream out = Files.newOutputStream(target)) {
                    int read;
                    while ((read = in.read(buffer)) > 0) {
                        entryBytes += read;
                        total += read;
                        if (entryBytes > entry.getSize() || total > limits.maxUnpackedBytes()) {
                            throw refused("The entry '" + entry.getName() + "' unpacks to more than its zip header"
                                    + " says; the zip is refused.");
                        }
                        out.write(buffer, 0, read);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            deleteRecursively(directory);
            throw e;
        }
    }

    private static void checkName(String name) {
        if (name.isEmpty() || name.indexOf('\0') >= 0) {
            throw refused("The plugin zip holds an entry without a usable name.");
        }
        if (name.startsWith("/") || name.contains("\\") || name.matches("^[A-Za-z]:.*")) {
            throw refused("The entry '" + name + "' has an absolute path; entries must stay inside the plugin's"
                    + " folder.");
        }
        for (String part : name.split("/")) {
            if (part.equals("..")) {
                throw refused("The entry '" + name + "' leads outside the plugin's folder (..); it is refused.");
            }
        }
    }

    static Descriptor descriptorOf(String propertiesText) {
        var properties = new Properties();
        try {
            properties.load(new StringReader(propertiesText));
        } catch (IOException | IllegalArgumentException e) {
            throw refused("plugin.properties cannot be read: " + e.getMessage());
        }
        String id = trimmed(properties.getProperty("plugin.id"));
        String version = trimmed(properties.getProperty("plugin.version"));
        if (id.isEmpty()) {
            throw refused("plugin.properties names no plugin.id.");
        }
        if (!ID.matcher(id).matches()) {
            throw refused("The plugin id '" + id + "' may hold only letters, digits, '.', '_' and '-' (at most 64).");
        }
        if (version.isEmpty()) {
            throw refused("plugin.properties names no plugin.version.");
        }
        if (!PluginVersions.isValid(version)) {
            throw refused("The plugin version '" + version + "' is not a semantic version such as 1.2.0.");
        }
        var dependencies = new ArrayList<PluginDependency>();
        String declared = trimmed(properties.getProperty("plugin.dependencies"));
        if (!declared.isEmpty()) {
            for (String dependency : declared.split(",")) {
                if (!dependency.isBlank()) {
                    dependencies.add(new PluginDependency(dependency.strip()));
                }
            }
        }
        String requires = trimmed(properties.getProperty("plugin.requires"));
        if (!PluginVersions.isValidRange(requires)) {
            throw refused("plugin.requires '" + requires + "' is not a version range such as >=0.1.0.");
        }
        for (PluginDependency dependency : dependencies) {
            if (!PluginVersions.isValidRange(dependency.getPluginVersionSupport())) {
                throw refused("The version range '" + dependency.getPluginVersionSupport() + "' of the dependency on '"
                        + dependency.getPluginId() + "' cannot be read.");
            }
        }
        return new Descriptor(id, version, requires.isEmpty() ? "*" : requires, List.copyOf(dependencies),
                trimmed(properties.getProperty("plugin.description")),
                trimmed(properties.getProperty("plugin.provider")),
                trimmed(properties.getProperty("plugin.license")));
    }

    private static String trimmed(String value) {
        return value == null ? "" : value.strip();
    }

    private static UserFacingException refused(String message) {
        return UserFacingException.invalid("file", message);
    }

    static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (var walk = Files.walk(path)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
