package io.miaobu.plugin.localstorage;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Files stored once by content: {@code <root>/<first two hex digits of the SHA-256>/<the rest>}. Deployments hold hard
 * links to these files, so a file's link count says how many deployments (plus the store) use it, and an object with a
 * count of one is used by none.
 *
 * <p>Concurrent publishes and garbage collection need no lock: a new object enters the store by linking an existing,
 * already-linked deployment file, so the collector never sees it with a count of one; and an object collected just
 * before a publish links it makes that publish copy the file instead.
 */
final class ContentStore {

    private static final HexFormat HEX = HexFormat.of();

    private final Path root;

    ContentStore(Path root) {
        this.root = root;
    }

    /**
     * Puts the content of {@code source} at {@code destination}: a link to the stored object when the store has it,
     * otherwise a new copy that then enters the store.
     *
     * @return the bytes written (0 when the content was already stored)
     */
    long place(Path source, Path destination) throws IOException {
        Path known = objectPath(sha256(source));
        if (Files.exists(known, LinkOption.NOFOLLOW_LINKS)) {
            try {
                Files.createLink(destination, known);
                return 0;
            } catch (NoSuchFileException e) {
                // collected meanwhile: store it again below
            } catch (IOException e) {
                if (Files.exists(destination, LinkOption.NOFOLLOW_LINKS) || e instanceof InterruptedIOException) {
                    throw e;
                }
                // e.g. the file system's link limit for one file: keep a private copy
            }
        }
        String hash = copyAndHash(source, destination);
        makeReadOnly(destination);
        Path object = objectPath(hash);
        Files.createDirectories(object.getParent());
        try {
            Files.createLink(object, destination);
        } catch (FileAlreadyExistsException e) {
            // another publish stored the same content at the same moment; the copy stays private
        }
        return Files.size(destination);
    }

    /** Removes objects no deployment links to. */
    int collectGarbage() throws IOException {
        if (!Files.isDirectory(root)) {
            return 0;
        }
        int removed = 0;
        try (DirectoryStream<Path> fanOut = Files.newDirectoryStream(root)) {
            for (Path bucket : fanOut) {
                if (!Files.isDirectory(bucket, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                try (DirectoryStream<Path> objects = Files.newDirectoryStream(bucket)) {
                    for (Path object : objects) {
                        if (Files.isRegularFile(object, LinkOption.NOFOLLOW_LINKS) && linkCount(object) == 1
                                && Files.deleteIfExists(object)) {
                            removed++;
                        }
                    }
                }
            }
        }
        return removed;
    }

    Path objectPath(String sha256) {
        return root.resolve(sha256.substring(0, 2)).resolve(sha256.substring(2));
    }

    static int linkCount(Path file) throws IOException {
        return (Integer) Files.getAttribute(file, "unix:nlink", LinkOption.NOFOLLOW_LINKS);
    }

    static String sha256(Path file) throws IOException {
        MessageDigest digest = newDigest();
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buffer)) != -1) {
                digest.update(buffer, 0, n);
            }
        }
        return HEX.formatHex(digest.digest());
    }

    /**
     * Copies and hashes in one pass, so the object is named after exactly the bytes written even if the source changed
     * since it was first hashed, and syncs before the file can be found in the store by its name.
     */
    private static String copyAndHash(Path source, Path destination) throws IOException {
        MessageDigest digest = newDigest();
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ);
             FileChannel out = FileChannel.open(destination, StandardOpenOption.CREATE_NEW,
                     StandardOpenOption.WRITE)) {
            while (in.read(buffer) != -1) {
                buffer.flip();
                digest.update(buffer.duplicate());
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
                buffer.clear();
            }
            out.force(true);
        }
        return HEX.formatHex(digest.digest());
    }

    /** The inode is shared by every deployment holding the content: nobody may change it in place. */
    private static void makeReadOnly(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--r--r--"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system; the content is still never written again
        }
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
