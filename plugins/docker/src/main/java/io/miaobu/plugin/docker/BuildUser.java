package io.miaobu.plugin.docker;

import io.miaobu.api.ExtensionException;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The unprivileged uid:gid build commands run as, and making the mounted directories writable for it.
 *
 * <p>Files a build writes into the bind-mounted workspace belong to this uid on the host. With {@code auto} it is the
 * server's own uid, so the server can read, publish and delete what the build made, exactly as with the host runner.
 * A server running as root cannot lend its uid, so builds run as 1000:1000 and the server hands them the mounted
 * directories first (root can delete whatever they make).
 *
 * @param uid the user id, never 0
 * @param gid the group id
 */
record BuildUser(long uid, long gid) {

    /**
     * The server process's own user.
     *
     * @param uid its effective uid
     * @param gid its effective gid
     */
    record Server(long uid, long gid) {

        /** This process's user, from the owner of {@code /proc/self} (Linux). */
        static Server current() {
            try {
                Path self = Path.of("/proc/self");
                return new Server(((Number) Files.getAttribute(self, "unix:uid")).longValue(),
                        ((Number) Files.getAttribute(self, "unix:gid")).longValue());
            } catch (IOException | UnsupportedOperationException e) {
                throw new ExtensionException("The docker runner cannot tell which user the server runs as; it"
                        + " needs Linux.", e);
            }
        }

        boolean isRoot() {
            return uid == 0;
        }
    }

    /** The user {@code setting} ({@code auto} or {@code uid[:gid]}) names for a server running as {@code server}. */
    static BuildUser resolve(String setting, Server server) {
        String value = setting.equals(DockerSettings.AUTO_USER)
                ? (server.isRoot() ? DockerSettings.UNPRIVILEGED_FALLBACK : server.uid() + ":" + server.gid())
                : setting;
        String[] parts = value.split(":", 2);
        long uid = Long.parseLong(parts[0]);
        long gid = parts.length > 1 ? Long.parseLong(parts[1]) : uid;
        if (uid == 0) {
            throw new ExtensionException("The docker runner's build user is root (uid 0); builds never run as root."
                    + " Set it to auto or to an unprivileged uid:gid.");
        }
        return new BuildUser(uid, gid);
    }

    /** As Docker's {@code --user} takes it. */
    String spec() {
        return uid + ":" + gid;
    }

    /** Whether {@code directory} belongs to this user. */
    boolean owns(Path directory) throws IOException {
        return ((Number) Files.getAttribute(directory, "unix:uid")).longValue() == uid;
    }

    /** Gives everything below {@code directory} (links themselves, never their targets) to this user. Root only. */
    void takeOver(Path directory) throws IOException {
        Files.walkFileTree(directory, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                chown(dir);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                chown(file);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private void chown(Path path) throws IOException {
        Files.setAttribute(path, "unix:uid", (int) uid, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(path, "unix:gid", (int) gid, LinkOption.NOFOLLOW_LINKS);
    }
}
