package io.miaobu.server.build;

import io.miaobu.server.auth.SecretFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/**
 * This installation's name in the build queue: kept in {@code MIAOBU_HOME/node-id}, so that after a restart the node
 * knows which running builds were its own (and are therefore dead), while builds of other nodes sharing the database
 * are left to the watchdog.
 */
public final class NodeIdentity {

    private NodeIdentity() {
    }

    public static String of(Path home) {
        Path file = home.resolve("node-id");
        try {
            if (Files.exists(file)) {
                String id = Files.readString(file).strip();
                if (!id.isEmpty() && id.length() <= 64) {
                    return id;
                }
            }
            String host;
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (IOException e) {
                host = "node";
            }
            String id = (host.length() > 27 ? host.substring(0, 27) : host) + "-" + UUID.randomUUID();
            SecretFiles.writePrivate(file, id);
            return id;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write " + file, e);
        }
    }
}
