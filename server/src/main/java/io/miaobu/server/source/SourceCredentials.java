package io.miaobu.server.source;

import io.miaobu.api.Secret;
import io.miaobu.server.secrets.SecretBox;
import io.miaobu.server.secrets.SecretColumn;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * The tokens source providers act with: a user's token at the identity provider of the same id as the source provider
 * (stored sealed in {@code external_identities}), and for a project the token of the user who connected it
 * ({@code projects.source_user_id}). Tokens are opened only here and only to hand them to the plugin.
 */
public final class SourceCredentials {

    /** The SecretBox purpose external-identity tokens are sealed for. */
    public static final String TOKEN_PURPOSE = "external-identity-token";
    /** Rotation covers the sealed tokens. */
    public static final SecretColumn TOKEN_COLUMN = new SecretColumn("external_identities", "id", "sealed_token",
            TOKEN_PURPOSE);

    private final Jdbi jdbi;
    private final SecretBox secretBox;

    public SourceCredentials(Jdbi jdbi, SecretBox secretBox) {
        this.jdbi = jdbi;
        this.secretBox = secretBox;
    }

    /** The user's token at {@code providerId}, when the user connected an account there. */
    public Optional<Secret> forUser(long userId, String providerId) {
        return jdbi.withHandle(handle -> handle.createQuery("""
                        SELECT sealed_token FROM external_identities WHERE user_id = :user AND provider = :provider""")
                .bind("user", userId).bind("provider", providerId)
                .mapTo(String.class).findOne())
                .filter(sealed -> !sealed.isEmpty())
                .map(sealed -> Secret.of(secretBox.open(sealed, TOKEN_PURPOSE)));
    }

    /** The token of the user who connected the project to its source host, when there is one. */
    public Optional<Secret> forProject(long projectId) {
        return jdbi.withHandle(handle -> handle.createQuery("""
                        SELECT e.sealed_token FROM projects p
                        JOIN external_identities e ON e.user_id = p.source_user_id AND e.provider = p.source_provider
                        WHERE p.id = :project""")
                .bind("project", projectId)
                .mapTo(String.class).findOne())
                .filter(sealed -> sealed != null && !sealed.isEmpty())
                .map(sealed -> Secret.of(secretBox.open(sealed, TOKEN_PURPOSE)));
    }

    /** Seals a token for storage in {@code external_identities.sealed_token}. */
    public String seal(Secret token) {
        return secretBox.seal(token.reveal(), TOKEN_PURPOSE);
    }

}
