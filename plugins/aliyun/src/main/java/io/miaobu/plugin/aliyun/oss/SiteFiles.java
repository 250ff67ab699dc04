package io.miaobu.plugin.aliyun.oss;

import io.miaobu.api.ExtensionException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;

/** The files of a build output, by site path, with their SHA-256. */
final class SiteFiles {

    /** One file: {@code path} is the site path ({@code /docs/index.html}). */
    record LocalFile(String path, Path file, long size, String sha256) {
    }

    private SiteFiles() {
    }

    /**
     * Walks the output, following links that stay inside it (published as the files they point to) and refusing any
     * that lead outside it, and hashes every file.
     *
     * @throws InterruptedIOException when the thread is interrupted
     */
    static List<LocalFile> read(Path output) throws IOException {
        Path root = output.toRealPath();
        List<LocalFile> files = new ArrayList<>();
        Files.walkFileTree(output, EnumSet.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE,
                new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                        stopIfCancelled();
                        requireInside(root, output, dir);
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                        stopIfCancelled();
                        String name = output.relativize(file).toString().replace('\\', '/');
                        if (attrs.isSymbolicLink()) {
                            throw new ExtensionException("'" + name + "' in the build output is a symbolic link to "
                                    + "a file that does not exist.");
                        }
                        if (!attrs.isRegularFile()) {
                            throw new ExtensionException("'" + name + "' in the build output is not a regular file.");
                        }
                        requireInside(root, output, file);
                        files.add(new LocalFile("/" + name, file, attrs.size(), sha256(file)));
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                        if (e instanceof FileSystemLoopException) {
                            throw new ExtensionException("'" + output.relativize(file) + "' in the build output is "
                                    + "a symbolic link that loops back to a directory containing it.");
                        }
                        throw e;
                    }
                });
        return files;
    }

    private static void requireInside(Path root, Path output, Path path) throws IOException {
        if (Files.isSymbolicLink(path) && !path.toRealPath().startsWith(root)) {
            throw new ExtensionException("'" + output.relativize(path) + "' in the build output is a symbolic link "
                    + "to a file outside the output directory; it was not published.");
        }
    }

    static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buffer)) != -1) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static void stopIfCancelled() throws InterruptedIOException {
        if (Thread.interrupted()) {
            throw new InterruptedIOException("cancelled");
        }
    }
}
