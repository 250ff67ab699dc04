package io.miaobu.server;

import io.miaobu.server.audit.Actor;
import io.miaobu.server.audit.AuditAction;
import io.miaobu.server.audit.AuditLog;
import io.miaobu.server.auth.SigningKeys;
import io.miaobu.server.boot.ServerConfig;
import io.miaobu.server.persistence.Database;
import io.miaobu.server.secrets.SecretBox;
import io.miaobu.server.secrets.SecretRotation;
import java.time.Clock;
import org.slf4j.Logger;

/**
 * Key rotation from the command line, for a stopped server (the embedded H2 database cannot be opened by two
 * processes) or a scheduled job: {@code miaobu rotate-secrets} re-encrypts every stored secret under a new key and
 * removes the old ones; {@code miaobu rotate-signing-key} adds a new access-token signing key. A running server offers
 * both as admin API calls.
 */
final class KeyCommands {

    private KeyCommands() {
    }

    /** @return the process exit code */
    static int run(String[] args, ServerConfig config, Logger log) {
        Clock clock = Clock.systemUTC();
        switch (args[0]) {
            case "rotate-secrets" -> {
                var database = new Database(config.dbUrl(), config.dbUser(), config.dbPassword(), 2);
                try {
                    database.start();
                    var box = new SecretBox(config.secretsDirectory().resolve("secretbox"));
                    SecretRotation.Report report = new SecretRotation(database.jdbi(), box,
                            MiaobuServer.SECRET_COLUMNS).rotate();
                    new AuditLog(database.jdbi(), clock).record(Actor.system(), AuditAction.SECRETS_ROTATED,
                            "key:" + report.newKeyId(), "re-encrypted " + report.reencryptedPerColumn()
                                    + " from the command line");
                    log.info("New secret key {}; re-encrypted {}; removed keys {}", report.newKeyId(),
                            report.reencryptedPerColumn(), report.removedKeyIds());
                    return 0;
                } catch (Exception e) {
                    log.error("Could not rotate the secret key: {}", e.getMessage());
                    return 1;
                } finally {
                    database.stop();
                }
            }
            case "rotate-signing-key" -> {
                String keyId = new SigningKeys(config.secretsDirectory().resolve("signing-keys"), clock)
                        .rotate(config.security().accessTokenTtl());
                log.info("New signing key {}; the previous one still verifies tokens it signed until they expire",
                        keyId);
                return 0;
            }
            default -> {
                log.error("Unknown command '{}'. Commands: rotate-secrets, rotate-signing-key", args[0]);
                return 2;
            }
        }
    }
}
