package io.miaobu.server.plugin;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How plugins lie in {@code MIAOBU_HOME/plugins}:
 *
 * <pre>
 * &lt;name&gt;.zip                 an installed plugin (bundled: miaobu-plugin-git.zip; installed here: &lt;id&gt;.zip)
 * &lt;name&gt;/                    a plugin folder an admin put there by hand (no zip beside it)
 * .unpacked/&lt;name&gt;-&lt;stamp&gt;/   where a zip is unpacked; the stamp (size and time of the zip) changes with each
 *                            version, so a new version never unpacks over the jars a running build still reads
 * .previous/&lt;name&gt;.zip       the version an upgrade replaces, until the new one has started
 * .staging/                  uploads and downloads being checked
 * disabled.txt, enabled.txt  PF4J's record of disabled plugins
 * </pre>
 *
 * An old version's folder is deleted once its class loader has closed (see {@link LeasedClassLoader}); at start,
 * folders no zip needs any more are deleted.
 */
final class PluginFolders {

    private static final Logger LOG = LoggerFactory.getLogger(PluginFolders.class);
    private static final String UNPACKED = ".unpacked";
    private static final String PREVIOUS = ".previous";
    private static final String STAGING = ".staging";

    private final Path root;
    private final PluginArchive.Limits limits;

    PluginFolders(Path root, PluginArchive.Limits limits) {
        this.root = root;
        this.limits = limits;
    }

    /** A zip that was checked and unpacked in the staging area, not installed yet. */
    record Staged(PluginArchive archive, Path zip, Path folder) {
        PluginArchive.Descriptor descriptor() {
            return archive.descriptor();
        }
    }

    /** What was found at start: the folders to load, and zips that could not be unpacked (by zip name). */
    record Found(List<Path> folders, Map<String, String> broken) {
    }

    /**
     * Prepares the directory at start and lists the plugin folders to load. An upgrade the server did not live to
     * finish is undone (its previous zip is put back); each zip is checked and unpacked unless its folder exists.
     */
    Found prepare() {
        try {
            Files.createDirectories(root.resolve(UNPACKED));
            deleteRecursively(root.resolve(STAGING));
            Files.createDirectories(root.resolve(STAGING));
            restoreInterruptedUpgrades();
            var folders = new ArrayList<Path>();
            var broken = new LinkedHashMap<String, String>();
            var wanted = new ArrayList<Path>();
            for (Path zip : list(root, "*.zip")) {
                if (!Files.isRegularFile(zip)) {
                    continue;
                }
                String name = baseName(zip);
                Path legacy = root.resolve(name);
                if (Files.isDirectory(legacy)) {
                    // PF4J used to unpack a zip next to itself; Miaobu unpacks into .unpacked
                    LOG.info("Deleting {}, the folder an earlier version unpacked {} into", legacy, zip.getFileName());
                    deleteRecursively(legacy);
                }
                Path folder = unpackedFolderOf(zip);
                wanted.add(folder);
                if (!Files.isDirectory(folder)) {
                    try {
                        PluginArchive.check(zip, limits).unpackTo(folder);
                    } catch (RuntimeException | IOException e) {
                        LOG.warn("Plugin zip {} was not loaded: {}", zip.getFileName(), e.getMessage());
                        broken.put(zip.getFileName().toString(), e.getMessage());
                        continue;
                    }
                }
                folders.add(folder);
            }
            for (Path folder : list(root.resolve(UNPACKED), "*")) {
                if (!wanted.contains(folder)) {
                    deleteRecursively(folder);
                }
            }
            for (Path folder : list(root, "*")) {
                String name = folder.getFileName().toString();
                if (Files.isDirectory(folder) && !name.startsWith(".")) {
                    folders.add(folder); // put there by hand
                }
            }
            return new Found(folders, broken);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + root, e);
        }
    }

    /**
     * Checks an uploaded or downloaded zip and unpacks it into the staging area. The file is moved there.
     *
     * @throws io.miaobu.server.web.UserFacingException when the zip is refused
     */
    Staged stage(Path file) throws IOException {
        Path area = Files.createDirectories(root.resolve(STAGING)).resolve(UUID.randomUUID().toString());
        Files.createDirectories(area);
        Path zip = area.resolve("plugin.zip");
        Files.move(file, zip, StandardCopyOption.REPLACE_EXISTING);
        try {
            PluginArchive archive = PluginArchive.check(zip, limits);
            Path folder = area.resolve("plugin");
            archive.unpackTo(folder);
            return new Staged(archive, zip, folder);
        } catch (IOException | RuntimeException e) {
            deleteRecursively(area);
            throw e;
        }
    }

    /** A temporary file in the staging area, for an upload or download to be written to. */
    Path newUploadFile() throws IOException {
        return Files.createTempFile(Files.createDirectories(root.resolve(STAGING)), "upload-", ".zip");
    }

    /** Forgets a staged zip that was not installed. */
    void discard(Staged staged) {
        deleteQuietly(staged.zip().getParent());
    }

    /**
     * Installs a staged zip as {@code <name>.zip} and moves its unpacked folder into place.
     *
     * @return the folder to load
     */
    Path place(Staged staged, String name) throws IOException {
        Path zip = root.resolve(name + ".zip");
        Files.move(staged.zip(), zip, StandardCopyOption.REPLACE_EXISTING);
        Path folder = unpackedFolderOf(zip);
        while (Files.exists(folder)) {
            // the same size and time as a version still unpacked: a new time gives a new folder
            Files.setLastModifiedTime(zip, FileTime.fromMillis(Files.getLastModifiedTime(zip).toMillis() + 1000));
            folder = unpackedFolderOf(zip);
        }
        Files.move(staged.folder(), folder);
        deleteQuietly(staged.zip().getParent());
        return folder;
    }

    /** The name of the zip a loaded plugin folder was unpacked from, or null for a folder put there by hand. */
    String zipNameOf(Path pluginFolder) {
        Path parent = pluginFolder.getParent();
        if (parent == null || !parent.equals(root.resolve(UNPACKED))) {
            return null;
        }
        String folder = pluginFolder.getFileName().toString();
        int stamp = folder.lastIndexOf('-', folder.lastIndexOf('-') - 1);
        return stamp < 0 ? null : folder.substring(0, stamp);
    }

    Path zipOf(String name) {
        return root.resolve(name + ".zip");
    }

    /** Moves {@code <name>.zip} aside while an upgrade replaces it. */
    void keepPrevious(String name) throws IOException {
        Path previous = Files.createDirectories(root.resolve(PREVIOUS)).resolve(name + ".zip");
        Files.move(zipOf(name), previous, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Puts the zip {@link #keepPrevious} moved aside back. */
    void restorePrevious(String name) throws IOException {
        Files.move(root.resolve(PREVIOUS).resolve(name + ".zip"), zipOf(name), StandardCopyOption.REPLACE_EXISTING);
    }

    /** The upgrade succeeded: the previous zip is no longer needed. */
    void dropPrevious(String name) {
        deleteQuietly(root.resolve(PREVIOUS).resolve(name + ".zip"));
    }

    void deleteQuietly(Path path) {
        try {
            deleteRecursively(path);
        } catch (IOException e) {
            LOG.warn("Could not delete {}: {}", path, e.getMessage());
        }
    }

    private void restoreInterruptedUpgrades() throws IOException {
        Path previous = root.resolve(PREVIOUS);
        if (!Files.isDirectory(previous)) {
            return;
        }
        for (Path zip : list(previous, "*.zip")) {
            LOG.warn("An upgrade of {} did not finish before the server stopped; putting the previous version back",
                    zip.getFileName());
            Files.move(zip, root.resolve(zip.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private Path unpackedFolderOf(Path zip) throws IOException {
        String stamp = Long.toHexString(Files.size(zip)) + "-"
                + Long.toHexString(Files.getLastModifiedTime(zip).toMillis());
        return root.resolve(UNPACKED).resolve(baseName(zip) + "-" + stamp);
    }

    private static String baseName(Path zip) {
        String name = zip.getFileName().toString();
        return name.substring(0, name.length() - ".zip".length());
    }

    private static List<Path> list(Path directory, String glob) throws IOException {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory, glob)) {
            var result = new ArrayList<Path>();
            entries.forEach(result::add);
            result.sort(null);
            return result;
        }
    }

    static void deleteRecursively(Path path) throws IOException {
        PluginArchive.deleteRecursively(path);
    }
}
