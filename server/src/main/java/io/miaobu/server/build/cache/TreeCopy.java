package io.miaobu.server.build.cache;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.Set;

/** Copies and removes directory trees the way {@code node_modules} needs: symbolic links stay links, modes stay. */
final class TreeCopy {

    /** What a copy wrote: regular files and symbolic links, and the regular files' bytes. */
    record Totals(long files, long bytes) {

        Totals plus(Totals other) {
            return new Totals(files + other.files, bytes + other.bytes);
        }
    }

    static final Totals NONE = new Totals(0, 0);

    private TreeCopy() {
    }

    /**
     * Copies {@code source} to {@code target}, which must not exist. Names in {@code skipped} are left out when they
     * are directly inside {@code source}. Checks for interruption between directories, so that a cancelled build does
     * not wait for a large copy.
     */
    static Totals copy(Path source, Path target, Set<String> skipped) throws IOException {
        boolean posix = Files.getFileStore(source).supportsFileAttributeView(PosixFileAttributeView.class);
        long[] totals = new long[2];
        Files.walkFileTree(source, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                if (Thread.currentThread().isInterrupted()) {
                    throw new InterruptedIOException("Interrupted while copying " + source);
                }
                if (!dir.equals(source) && dir.getParent().equals(source)
                        && skipped.contains(dir.getFileName().toString())) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                Files.createDirectory(target.resolve(source.relativize(dir)));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Path copy = target.resolve(source.relativize(file));
                if (attrs.isSymbolicLink()) {
                    // the link's text, not its target: node_modules/.bin links are relative and stay valid
                    Files.createSymbolicLink(copy, Files.readSymbolicLink(file));
                    totals[0]++;
                } else if (attrs.isRegularFile()) {
                    Files.copy(file, copy, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
                    totals[0]++;
                    totals[1] += attrs.size();
                }
                // sockets and fifos have no place in node_modules and cannot be copied
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException failure) throws IOException {
                if (failure != null) {
                    throw failure;
                }
                if (posix) {
                    // after the children: a directory without write permission could not have been filled
                    Path copy = target.resolve(source.relativize(dir));
                    Files.setPosixFilePermissions(copy,
                            Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS));
                }
                return FileVisitResult.CONTINUE;
            }
        });
        return new Totals(totals[0], totals[1]);
    }
}
