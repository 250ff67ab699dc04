package io.miaobu.server.auth;

import io.miaobu.server.web.UserFacingException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Jdbi;

/**
 * Personal API tokens: {@code mbt_} and 256 random bits, shown once at creation and stored as a SHA-256. A token acts
 * for its owner, limited to its scopes; it can expire and can be revoked.
 */
public final class ApiTokenService {

    public static final String PREFIX = "mbt_";
    private static final int VISIBLE_PREFIX = PREFIX.length() + 8;
    private static final int MAX_TOKENS_PER_USER = 50;
    private static final Duration TOUCH_INTERVAL = Duration.ofMinutes(1);
    private static final Pattern NAME = Pattern.compile("[\\p{L}\\p{N} ._:/()-]{1,100}");

    private final Jdbi jdbi;
    private final AccountService accounts;
    private final Clock clock;

    public ApiTokenService(Jdbi jdbi, AccountService accounts, Clock clock) {
        this.jdbi = jdbi;
        this.accounts = accounts;
        this.clock = clock;
    }

    /** A new token and its secret, which is never available again. */
    public record Created(ApiToken token, String secret) {
        @Override
        public String toString() {
            return "Created[" + token + "]";
        }
    }

    /** The token a caller presented, with its owner. */
    public record Authenticated(User user, ApiToken token) {
    }

    /**
     * Creates a token for the user.
     *
     * @param expiresAt {@code null} for a token that does not expire
     * @throws UserFacingException 400 for a bad name, no scope, a scope the user cannot hold or an expiry in the past
     */
    public Created create(User user, String name, Set<TokenScope> scopes, Instant expiresAt) {
        String cleanName = name == null ? "" : name.strip();
        if (!NAME.matcher(cleanName).matches()) {
            throw UserFacingException.invalid("name",
                    "Name the token (1 to 100 letters, digits, spaces and . _ : / ( ) -), e.g. 'CI on GitLab'.");
        }
        if (scopes == null || scopes.isEmpty()) {
            throw UserFacingException.invalid("scopes", "Choose at least one scope: read, deploy or admin.");
        }
        Instant now = clock.instant();
        if (expiresAt != null && !expiresAt.isAfter(now)) {
            throw UserFacingException.invalid("expiresAt", "The expiry must be in the future.");
        }
        if (list(user.id()).stream().filter(t -> t.isUsableAt(now)).count() >= MAX_TOKENS_PER_USER) {
            throw UserFacingException.invalid("name", "You have " + MAX_TOKENS_PER_USER
                    + " tokens already. Revoke some you no longer use.");
        }
        String secret = TokenHashing.newToken(PREFIX);
        String prefix = secret.substring(0, VISIBLE_PREFIX);
        String scopeText = scopes.stream().sorted().map(TokenScope::label).collect(Collectors.joining(","));
        long id = jdbi.withHandle(handle -> handle.createUpdate("""
                        INSERT INTO api_tokens (user_id, name, token_prefix, token_hash, scopes, created_at, expires_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?)""")
                .bind(0, user.id()).bind(1, cleanName).bind(2, prefix).bind(3, TokenHashing.sha256(secret))
                .bind(4, scopeText).bind(5, now).bind(6, expiresAt)
                .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one());
        return new Created(find(id).orElseThrow(), secret);
    }

    /** The owner and token of a presented secret that is valid now; records the use (at most once a minute). */
    public Optional<Authenticated> authenticate(String secret) {
        if (secret == null || !secret.startsWith(PREFIX) || secret.length() > 100) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        Optional<ApiToken> token = jdbi.withHandle(handle -> handle
                        .createQuery("SELECT * FROM api_tokens WHERE token_hash = ?")
                        .bind(0, TokenHashing.sha256(secret))
                        .map((rs, ctx) -> map(rs)).findOne())
                .filter(t -> t.isUsableAt(now));
        if (token.isEmpty()) {
            return Optional.empty();
        }
        if (token.get().lastUsedAt() == null || token.get().lastUsedAt().plus(TOUCH_INTERVAL).isBefore(now)) {
            jdbi.useHandle(handle -> handle.createUpdate("UPDATE api_tokens SET last_used_at = ? WHERE id = ?")
                    .bind(0, now).bind(1, token.get().id()).execute());
        }
        return accounts.findById(token.get().userId()).map(user -> new Authenticated(user, token.get()));
    }

    /** The user's tokens, revoked ones included, newest first. */
    public List<ApiToken> list(long userId) {
        return jdbi.withHandle(handle -> handle
                .createQuery("SELECT * FROM api_tokens WHERE user_id = ? ORDER BY id DESC")
                .bind(0, userId).map((rs, ctx) -> map(rs)).list());
    }

    public Optional<ApiToken> find(long id) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT * FROM api_tokens WHERE id = ?")
                .bind(0, id).map((rs, ctx) -> map(rs)).findOne());
    }

    /**
     * Revokes one of the user's tokens.
     *
     * @return the token, or empty when the user has no such token
     */
    public Optional<ApiToken> revoke(long userId, long tokenId) {
        Instant now = clock.instant();
        int changed = jdbi.withHandle(handle -> handle.createUpdate(
                        "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL")
                .bind(0, now).bind(1, tokenId).bind(2, userId).execute());
        return find(tokenId).filter(t -> t.userId() == userId && (changed == 1 || t.revokedAt() != null));
    }

    /** Parses "read,deploy" or ["read","deploy"] entries into scopes; unknown names are an error. */
    public static Set<TokenScope> parseScopes(List<String> names) {
        Set<TokenScope> scopes = EnumSet.noneOf(TokenScope.class);
        if (names == null) {
            return scopes;
        }
        for (String entry : names) {
            if (entry == null) {
                continue;
            }
            for (String name : entry.split(",")) {
                if (name.isBlank()) {
                    continue;
                }
                scopes.add(TokenScope.parse(name).orElseThrow(() -> UserFacingException.invalid("scopes",
                        "Unknown scope '" + name.strip() + "': use read, deploy or admin.")));
            }
        }
        return scopes;
    }

    private static ApiToken map(ResultSet rs) throws SQLException {
        Set<TokenScope> scopes = Arrays.stream(rs.getString("scopes").split(","))
                .map(TokenScope::parse).flatMap(Optional::stream)
                .collect(Collectors.toCollection(() -> EnumSet.noneOf(TokenScope.class)));
        return new ApiToken(rs.getLong("id"), rs.getLong("user_id"), rs.getString("name"),
                rs.getString("token_prefix"), scopes, instant(rs.getTimestamp("created_at")),
                instant(rs.getTimestamp("expires_at")), instant(rs.getTimestamp("last_used_at")),
                instant(rs.getTimestamp("revoked_at")));
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }
}
