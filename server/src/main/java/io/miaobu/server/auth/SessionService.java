package io.miaobu.server.auth;

import io.miaobu.server.audit.Actor;
import io.miaobu.server.audit.AuditAction;
import io.miaobu.server.audit.AuditLog;
import io.miaobu.server.web.UserFacingException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.reflect.ConstructorMapper;

/**
 * Sessions: a sign-in creates one with a refresh token; refreshing spends that token and hands out a new one (rotation)
 * with a new access token. A refresh token used a second time means it was stolen, or its holder was: the whole session
 * (every token of the family) ends. Signing out, an admin, a password change or the account's deletion end sessions
 * server-side: access tokens name their session and die with it.
 */
public final class SessionService {

    public static final String REFRESH_PREFIX = "mbr_";
    /** Pages that raced each other with one refresh cookie get this long before reuse counts as theft. */
    private static final Duration PAGE_RACE_GRACE = Duration.ofSeconds(10);
    private static final Duration TOUCH_INTERVAL = Duration.ofMinutes(1);
    private static final int MAX_USER_AGENT = 255;

    private final Jdbi jdbi;
    private final AccessTokens accessTokens;
    private final AccountService accounts;
    private final AuditLog audit;
    private final Duration refreshTtl;
    private final Clock clock;

    public SessionService(Jdbi jdbi, AccessTokens accessTokens, AccountService accounts, AuditLog audit,
                          Duration refreshTtl, Clock clock) {
        this.jdbi = jdbi;
        this.accessTokens = accessTokens;
        this.accounts = accounts;
        this.audit = audit;
        this.refreshTtl = refreshTtl;
        this.clock = clock;
    }

    /**
     * What a sign-in or refresh hands out.
     *
     * @param accessExpiresIn  seconds until the access token expires
     * @param refreshExpiresIn seconds until the refresh token expires
     */
    public record Tokens(String accessToken, String refreshToken, String sessionId, long accessExpiresIn,
                         long refreshExpiresIn) {
        @Override
        public String toString() {
            return "Tokens[session " + sessionId + "]";
        }
    }

    /** Starts a session for a user who just proved who they are. */
    public Tokens start(User user, String clientAddress, String userAgent) {
        Instant now = clock.instant();
        String sessionId = TokenHashing.newToken("").substring(0, 43);
        String refresh = TokenHashing.newToken(REFRESH_PREFIX);
        jdbi.useTransaction(handle -> {
            handle.createUpdate("""
                            INSERT INTO sessions (id, user_id, created_at, last_used_at, expires_at, client_address,
                                                  user_agent)
                            VALUES (?, ?, ?, ?, ?, ?, ?)""")
                    .bind(0, sessionId).bind(1, user.id()).bind(2, now).bind(3, now).bind(4, now.plus(refreshTtl))
                    .bind(5, clientAddress).bind(6, shorten(userAgent))
                    .execute();
            insertRefreshToken(handle, sessionId, refresh, now);
        });
        return new Tokens(accessTokens.issue(user, sessionId), refresh, sessionId, accessTokens.ttl().toSeconds(),
                refreshTtl.toSeconds());
    }

    /**
     * Spends a refresh token for a new pair.
     *
     * @param pageRace true for the pages' transparent refresh: a token spent in the last few seconds (two requests of
     *                 one page refreshing at once) is then answered with {@link Optional#empty()} rather than treated as
     *                 theft
     * @throws UserFacingException 401 when the token is unknown, spent (the session then ends), expired or its session
     *                             has ended
     */
    public Optional<Tokens> refresh(String refreshToken, boolean pageRace, Actor actor) {
        if (refreshToken == null || !refreshToken.startsWith(REFRESH_PREFIX) || refreshToken.length() > 100) {
            throw UserFacingException.unauthorized("This refresh token is not valid. Sign in again.");
        }
        Instant now = clock.instant();
        String hash = TokenHashing.sha256(refreshToken);
        // one transaction: of two concurrent refreshes with one token, only one can mark it used
        Rotation rotation = jdbi.inTransaction(handle -> rotate(handle, hash, pageRace, now));
        if (rotation instanceof Rotation.Raced) {
            return Optional.empty();
        }
        if (rotation instanceof Rotation.Reused reused) {
            String name = accounts.findById(reused.userId()).map(User::username)
                    .orElse(Long.toString(reused.userId()));
            audit.record(actor, AuditAction.REFRESH_TOKEN_REUSED, "user:" + name,
                    "session ended: its refresh token had already been used");
            throw UserFacingException.unauthorized("This refresh token was already used, so the session has"
                    + " been ended for safety. Sign in again.");
        }
        if (rotation instanceof Rotation.Rotated rotated) {
            User user = accounts.findById(rotated.userId())
                    .orElseThrow(() -> UserFacingException.unauthorized("This account no longer exists."));
            return Optional.of(new Tokens(accessTokens.issue(user, rotated.sessionId()), rotated.refreshToken(),
                    rotated.sessionId(), accessTokens.ttl().toSeconds(), refreshTtl.toSeconds()));
        }
        throw UserFacingException.unauthorized("This refresh token is not valid any more. Sign in again.");
    }

    /** What spending a refresh token came to. */
    private sealed interface Rotation {
        record Invalid() implements Rotation {
        }

        record Raced() implements Rotation {
        }

        record Reused(long userId) implements Rotation {
        }

        record Rotated(String sessionId, long userId, String refreshToken) implements Rotation {
        }
    }

    private Rotation rotate(Handle handle, String hash, boolean pageRace, Instant now) {
        record Row(String sessionId, Instant usedAt) {
        }
        Optional<Row> row = handle.createQuery("SELECT session_id, used_at FROM refresh_tokens WHERE token_hash = ?")
                .bind(0, hash)
                .map((rs, ctx) -> new Row(rs.getString(1),
                        rs.getTimestamp(2) == null ? null : rs.getTimestamp(2).toInstant()))
                .findOne();
        if (row.isEmpty()) {
            return new Rotation.Invalid();
        }
        String sessionId = row.get().sessionId();
        Optional<SessionInfo> session = find(handle, sessionId);
        if (session.isEmpty() || !session.get().isActiveAt(now)) {
            return new Rotation.Invalid();
        }
        if (row.get().usedAt() != null) {
            if (pageRace && row.get().usedAt().plus(PAGE_RACE_GRACE).isAfter(now)) {
                return new Rotation.Raced();
            }
            revoke(handle, sessionId, "refresh token reused", now);
            return new Rotation.Reused(session.get().userId());
        }
        int marked = handle.createUpdate("UPDATE refresh_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL")
                .bind(0, now).bind(1, hash).execute();
        if (marked != 1) {
            return new Rotation.Raced();
        }
        String next = TokenHashing.newToken(REFRESH_PREFIX);
        insertRefreshToken(handle, sessionId, next, now);
        handle.createUpdate("UPDATE sessions SET last_used_at = ?, expires_at = ? WHERE id = ?")
                .bind(0, now).bind(1, now.plus(refreshTtl)).bind(2, sessionId).execute();
        return new Rotation.Rotated(sessionId, session.get().userId(), next);
    }

    /** The session if it is still going; records that it was used (at most once a minute). */
    public Optional<SessionInfo> active(String sessionId) {
        Instant now = clock.instant();
        Optional<SessionInfo> session = jdbi.withHandle(handle -> find(handle, sessionId))
                .filter(s -> s.isActiveAt(now));
        session.filter(s -> s.lastUsedAt().plus(TOUCH_INTERVAL).isBefore(now))
                .ifPresent(s -> jdbi.useHandle(handle -> handle
                        .createUpdate("UPDATE sessions SET last_used_at = ? WHERE id = ?")
                        .bind(0, now).bind(1, s.id()).execute()));
        return session;
    }

    /** The user's sessions that have not ended, newest first. */
    public List<SessionInfo> listActive(long userId) {
        Instant now = clock.instant();
        return jdbi.withHandle(handle -> handle.createQuery("""
                        SELECT * FROM sessions WHERE user_id = ? AND revoked_at IS NULL AND expires_at > ?
                        ORDER BY last_used_at DESC""")
                .bind(0, userId).bind(1, now)
                .map(ConstructorMapper.of(SessionInfo.class))
                .list());
    }

    /**
     * Ends one of the user's sessions.
     *
     * @return false when the user has no such session
     */
    public boolean end(long userId, String sessionId, String reason) {
        Instant now = clock.instant();
        return jdbi.inTransaction(handle -> {
            Optional<SessionInfo> session = find(handle, sessionId).filter(s -> s.userId() == userId);
            if (session.isEmpty()) {
                return false;
            }
            revoke(handle, sessionId, reason, now);
            return true;
        });
    }

    /**
     * Ends the session a refresh token belongs to (sign-out when the access token has already expired).
     *
     * @return the user whose session ended, or empty for an unknown token
     */
    public Optional<Long> endByRefreshToken(String refreshToken, String reason) {
        if (refreshToken == null || !refreshToken.startsWith(REFRESH_PREFIX) || refreshToken.length() > 100) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        return jdbi.inTransaction(handle -> {
            Optional<SessionInfo> session = handle
                    .createQuery("SELECT session_id FROM refresh_tokens WHERE token_hash = ?")
                    .bind(0, TokenHashing.sha256(refreshToken)).mapTo(String.class).findOne()
                    .flatMap(id -> find(handle, id));
            session.ifPresent(s -> revoke(handle, s.id(), reason, now));
            return session.map(SessionInfo::userId);
        });
    }

    /** Ends every session of the user, except {@code keepSessionId} when given (the one changing the password). */
    public int endAll(long userId, String keepSessionId, String reason) {
        Instant now = clock.instant();
        return jdbi.withHandle(handle -> handle.createUpdate("""
                        UPDATE sessions SET revoked_at = :now, revoked_reason = :reason
                        WHERE user_id = :user AND revoked_at IS NULL AND (:keep IS NULL OR id <> :keep)""")
                .bind("now", now).bind("reason", reason).bind("user", userId).bind("keep", keepSessionId)
                .execute());
    }

    /** Deletes sessions that ended more than a day ago; run periodically. */
    public int purgeEnded() {
        Instant cutoff = clock.instant().minus(Duration.ofDays(1));
        return jdbi.withHandle(handle -> {
            // spent tokens of live sessions are kept for as long as a reuse could still be attempted
            handle.createUpdate("DELETE FROM refresh_tokens WHERE used_at < :cutoff")
                    .bind("cutoff", clock.instant().minus(refreshTtl)).execute();
            return handle.createUpdate("DELETE FROM sessions WHERE expires_at < :cutoff OR revoked_at < :cutoff")
                    .bind("cutoff", cutoff).execute();
        });
    }

    public Duration refreshTtl() {
        return refreshTtl;
    }

    private static Optional<SessionInfo> find(Handle handle, String sessionId) {
        if (sessionId == null) {
            return Optional.empty();
        }
        return handle.createQuery("SELECT * FROM sessions WHERE id = ?").bind(0, sessionId)
                .map(ConstructorMapper.of(SessionInfo.class)).findOne();
    }

    private static void revoke(Handle handle, String sessionId, String reason, Instant now) {
        handle.createUpdate("UPDATE sessions SET revoked_at = ?, revoked_reason = ? WHERE id = ? AND revoked_at IS NULL")
                .bind(0, now).bind(1, reason).bind(2, sessionId).execute();
    }

    private void insertRefreshToken(Handle handle, String sessionId, String token, Instant now) {
        handle.createUpdate("INSERT INTO refresh_tokens (token_hash, session_id, created_at) VALUES (?, ?, ?)")
                .bind(0, TokenHashing.sha256(token)).bind(1, sessionId).bind(2, now).execute();
    }

    private static String shorten(String userAgent) {
        if (userAgent == null) {
            return null;
        }
        return userAgent.length() <= MAX_USER_AGENT ? userAgent : userAgent.substring(0, MAX_USER_AGENT);
    }
}
