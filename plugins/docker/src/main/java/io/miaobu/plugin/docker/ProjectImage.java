package io.miaobu.plugin.docker;

import io.miaobu.api.ExtensionException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * The build image a project describes in {@code .miaobu/build.Dockerfile} in its source directory (its root directory
 * in the checkout), with the {@code .miaobu/} directory as the build context.
 *
 * <p>The tag is {@code miaobu-build/<project>:<digest>}: the digest is a SHA-256 of the Dockerfile, every entry of the
 * context (path, kind, executable bit, content or link target) and the build arguments. The same files name the same
 * tag, so an image the engine has under that tag is up to date, whatever else changed in the repository.
 *
 * <p>Only {@code .miaobu/} is read and sent to the engine, never the rest of the checkout. Links in it are sent as
 * links and never followed, so no file of the server's can reach the engine through one; the directory and the
 * Dockerfile must not be links themselves.
 */
final class ProjectImage {

    /** The directory, in the project's root directory, that is the build context. */
    static final String DIRECTORY = ".miaobu";
    /** The Dockerfile's name in {@link #DIRECTORY}. */
    static final String DOCKERFILE = "build.Dockerfile";
    /** Where the Dockerfile is, for messages. */
    static final String DOCKERFILE_PATH = DIRECTORY + "/" + DOCKERFILE;
    static final String REPOSITORY_PREFIX = "miaobu-build/";
    /** Labels a project's build images, so that its old ones can be found and removed. */
    static final String PROJECT_LABEL = "io.miaobu.project";
    /** The only build argument: the image commands would run in without a Dockerfile, for {@code FROM}. */
    static final String BASE_IMAGE_ARG = "MIAOBU_BASE_IMAGE";

    private static final int DIGEST_CHARACTERS = 12;
    /** Bumped when what the digest covers changes, so that old tags are not taken for new ones. */
    private static final String DIGEST_FORMAT = "miaobu-build-image/1";
    /** Contexts are made the same however often they are checked out: one time for every entry. */
    private static final long ENTRY_TIME_MILLIS = 0;

    private final Path context;
    private final String projectKey;
    private final List<Entry> entries;
    private final Map<String, String> buildArgs;
    private final String tag;
    private final boolean usesBaseImageArg;

    private ProjectImage(Path context, String projectKey, List<Entry> entries, Map<String, String> buildArgs,
                         String digest, boolean usesBaseImageArg) {
        this.context = context;
        this.projectKey = projectKey;
        this.entries = entries;
        this.buildArgs = buildArgs;
        this.tag = repository(projectKey) + ":" + digest;
        this.usesBaseImageArg = usesBaseImageArg;
    }

    /**
     * The build image {@code sourceDirectory} describes, or empty when it has no {@code .miaobu/build.Dockerfile}.
     * Reads the whole context once, to compute the tag.
     *
     * @param projectKey the project's slug
     * @param baseImage  the admin's image for this build, passed as the build argument {@value #BASE_IMAGE_ARG}
     * @throws ExtensionException when the directory or the Dockerfile is a link, or the context cannot be read
     */
    static Optional<ProjectImage> find(Path sourceDirectory, String projectKey, String baseImage) {
        Path context = sourceDirectory.resolve(DIRECTORY);
        Path dockerfile = context.resolve(DOCKERFILE);
        if (!Files.exists(dockerfile, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        if (Files.isSymbolicLink(context) || !Files.isDirectory(context, LinkOption.NOFOLLOW_LINKS)) {
            throw new ExtensionException("'" + DIRECTORY + "' is a link; for a build image it must be a directory in"
                    + " the repository.");
        }
        if (!Files.isRegularFile(dockerfile, LinkOption.NOFOLLOW_LINKS)) {
            throw new ExtensionException("'" + DOCKERFILE_PATH + "' is not a file (a link?); the build image is"
                    + " built only from a file in the repository.");
        }
        try {
            List<Entry> entries = entries(context);
            Map<String, String> buildArgs = new TreeMap<>(Map.of(BASE_IMAGE_ARG, baseImage));
            String text = Files.readString(dockerfile, StandardCharsets.UTF_8);
            return Optional.of(new ProjectImage(context, projectKey, entries, buildArgs,
                    digest(context, entries, buildArgs), text.contains(BASE_IMAGE_ARG)));
        } catch (IOException e) {
            throw new ExtensionException("Could not read '" + DIRECTORY + "/' for the build image: " + e.getMessage(),
                    e);
        }
    }

    /**
     * {@code miaobu-build/<project key>}, made a valid repository name: lower case, runs of other characters as one
     * {@code -}. Slugs are valid already.
     */
    static String repository(String projectKey) {
        String name = projectKey.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        name = name.substring(0, Math.min(name.length(), 100)).replaceAll("-+$", "");
        return REPOSITORY_PREFIX + (name.isEmpty() ? "project" : name);
    }

    /** {@code miaobu-build/<project>:<digest>}. */
    String tag() {
        return tag;
    }

    String repository() {
        return repository(projectKey);
    }

    String projectKey() {
        return projectKey;
    }

    Map<String, String> buildArgs() {
        return buildArgs;
    }

    /** Whether the Dockerfile mentions {@value #BASE_IMAGE_ARG}, so that the admin's image must be on the engine. */
    boolean usesBaseImageArg() {
        return usesBaseImageArg;
    }

    /** How many files the context holds, the Dockerfile included. */
    long fileCount() {
        return entries.stream().filter(entry -> entry.kind() == Kind.FILE).count();
    }

    /** The context as an uncompressed tar, as the engine's build endpoint takes it. */
    void writeTar(OutputStream out) throws IOException {
        // not closed here: closing the archive would close the caller's stream
        var tar = new TarArchiveOutputStream(out, StandardCharsets.UTF_8.name());
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        for (Entry entry : entries) {
            TarArchiveEntry header = switch (entry.kind()) {
                case DIRECTORY -> new TarArchiveEntry(entry.path() + "/");
                case LINK -> new TarArchiveEntry(entry.path(), TarConstants.LF_SYMLINK);
                case FILE -> new TarArchiveEntry(entry.path());
            };
            header.setModTime(ENTRY_TIME_MILLIS);
            header.setMode(entry.mode());
            if (entry.kind() == Kind.LINK) {
                header.setLinkName(entry.linkTarget());
            }
            if (entry.kind() == Kind.FILE) {
                header.setSize(entry.size());
            }
            tar.putArchiveEntry(header);
            if (entry.kind() == Kind.FILE) {
                copyExactly(context.resolve(entry.path()), entry.size(), tar);
            }
            tar.closeArchiveEntry();
        }
        tar.finish();
    }

    /** The file's first {@code size} bytes; a file that shrank since it was counted is an error, not a bad tar. */
    private static void copyExactly(Path file, long size, OutputStream out) throws IOException {
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            byte[] buffer = new byte[64 * 1024];
            long left = size;
            while (left > 0) {
                int read = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (read < 0) {
                    throw new IOException("'" + file + "' changed while it was being sent");
                }
                out.write(buffer, 0, read);
                left -= read;
            }
        }
    }

    private static List<Entry> entries(Path context) throws IOException {
        var entries = new ArrayList<Entry>();
        // no FOLLOW_LINKS: a link is visited as itself
        Files.walkFileTree(context, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                if (!dir.equals(context)) {
                    entries.add(new Entry(relative(context, dir), Kind.DIRECTORY, 040755, 0, null));
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                String path = relative(context, file);
                if (attrs.isSymbolicLink()) {
                    entries.add(new Entry(path, Kind.LINK, 0120777, 0,
                            Files.readSymbolicLink(file).toString()));
                } else if (attrs.isRegularFile()) {
                    boolean executable = Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS)
                            .contains(PosixFilePermission.OWNER_EXECUTE);
                    entries.add(new Entry(path, Kind.FILE, executable ? 0100755 : 0100644, attrs.size(), null));
                }
                // sockets, pipes and devices are no part of a repository, and Docker could not copy them
                return FileVisitResult.CONTINUE;
            }
        });
        entries.sort(Comparator.comparing(Entry::path));
        return List.copyOf(entries);
    }

    private static String relative(Path context, Path path) {
        return context.relativize(path).toString().replace('\\', '/');
    }

    private static String digest(Path context, List<Entry> entries, Map<String, String> buildArgs)
            throws IOException {
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
        // each field ends with a 0 byte or has a fixed length, so no two different contexts hash the same stream
        var out = new DigestOutputStream(OutputStream.nullOutputStream(), sha256);
        field(out, DIGEST_FORMAT);
        for (var arg : buildArgs.entrySet()) {
            field(out, "arg");
            field(out, arg.getKey());
            field(out, arg.getValue());
        }
        for (Entry entry : entries) {
            field(out, entry.kind().name());
            field(out, entry.path());
            field(out, Integer.toOctalString(entry.mode()));
            switch (entry.kind()) {
                case LINK -> field(out, entry.linkTarget());
                case FILE -> {
                    field(out, Long.toString(entry.size()));
                    copyExactly(context.resolve(entry.path()), entry.size(), out);
                }
                case DIRECTORY -> { }
            }
        }
        return HexFormat.of().formatHex(sha256.digest()).substring(0, DIGEST_CHARACTERS);
    }

    private static void field(OutputStream out, String value) throws IOException {
        out.write(value.getBytes(StandardCharsets.UTF_8));
        out.write(0);
    }

    private enum Kind { DIRECTORY, FILE, LINK }

    /** One entry of the context; {@code path} relative to it, with {@code /}. */
    private record Entry(String path, Kind kind, int mode, long size, String linkTarget) {
    }
}
