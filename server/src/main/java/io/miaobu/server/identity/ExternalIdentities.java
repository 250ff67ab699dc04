package io.miaobu.server.identity;

import io.miaobu.api.identity.ExternalIdentity;
import io.miaobu.server.audit.Actor;
import io.miaobu.server.audit.AuditAction;
import io.miaobu.server.audit.AuditLog;
import io.miaobu.server.auth.AccountService;
import io.miaobu.server.auth.User;
import io.miaobu.server.source.SourceCredentials;
import io.miaobu.server.web.UserFacingException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;

/**
 * Miaobu users' accounts at identity providers ({@code external_identities}): signing in through one (the account is
 * made on the first sign-in), connecting one to a signed-in user, and disconnecting it. The provider's token is stored
 * sealed and is never read here: {@link SourceCredentials} opens it for the source provider of the same id.
 */
public final class ExternalIdentities {

    /** How many times a sign-in that raced another (same identity or same new username) is tried again. */
    private static final int ATTEMPTS = 3;

    /**
     * A user's connected account, without its token.
     *
     * @param provider     the identity provider's id
     * @param login        the login at the provider, as of the last sign-in or connection
     * @param linkedAt     when it was connected (or the account was made through it)
     * @param lastSignInAt the last sign-in through it; {@code null} when never signed in through it
     */
    public record Linked(String provider, String login, Instant linkedAt, Instant lastSignInAt) {
    }

    /** What a sign-in came to: the user, and whether their account was made just now. */
    public record SignedIn(User user, boolean created) {
    }

    private final Jdbi jdbi;
    private final AccountService accounts;
    private final SourceCredentials credentials;
    private final AuditLog audit;
    private final Clock clock;

    public ExternalIdentities(Jdbi jdbi, AccountService accounts, SourceCredentials credentials, AuditLog audit,
                              Clock clock) {
        this.jdbi = jdbi;
        this.accounts = accounts;
        this.credentials = credentials;
        this.audit = audit;
        this.clock = clock;
    }

    /** The user's connected account at {@code provider}, if any. */
    public Optional<Linked> find(long userId, String provider) {
        return jdbi.withHandle(handle -> handle.createQuery("""
                        SELECT provider, login, linked_at, last_sign_in_at FROM external_identities
                        WHERE user_id = ? AND provider = ?""")
                .bind(0, userId).bind(1, provider).map(ExternalIdentities::linked).findOne());
    }

    /** Every connected account of the user, by provider. */
    public List<Linked> list(long userId) {
        return jdbi.withHandle(handle -> handle.createQuery("""
                        SELECT provider, login, linked_at, last_sign_in_at FROM external_identities
                        WHERE user_id = ? ORDER BY provider""")
                .bind(0, userId).map(ExternalIdentities::linked).list());
    }

    /**
     * Signs in the user {@code identity} is connected to, or makes a new account for it and connects it. Refused
     * like a password sign-in while that account is locked.
     *
     * @throws UserFacingException 403 for a locked account
     */
    public SignedIn signIn(String provider, ExternalIdentity identity, Actor actor) {
        for (int attempt = 1; ; attempt++) {
            try {
                return trySignIn(provider, identity, actor);
            } catch (UnableToExecuteStatementException raced) {
                // another sign-in made the same identity or took the same username meanwhile: look again
                if (attempt >= ATTEMPTS) {
                    throw raced;
                }
            }
        }
    }

    private SignedIn trySignIn(String provider, ExternalIdentity identity, Actor actor) {
        Optional<Long> owner = ownerOf(provider, identity.externalId());
        if (owner.isPresent()) {
            User user = accounts.signInExternally(owner.get(), provider, actor);
            update(provider, identity, true);
            return new SignedIn(user, false);
        }
        Instant now = clock.instant();
        User created = jdbi.inTransaction(handle -> {
            User user = accounts.createWithoutPassword(handle, identity.login(), identity.email());
            insert(handle, provider, identity, user.id(), now, now);
            return user;
        });
        audit.record(new Actor(created.id(), created.username(), actor.clientAddress()),
                AuditAction.EXTERNAL_ACCOUNT_CREATED, "user:" + created.username(),
                "from " + provider + " account " + identity.login());
        return new SignedIn(accounts.signInExternally(created.id(), provider, actor), true);
    }

    /**
     * Connects {@code identity} to a signed-in user; connecting the one already connected refreshes its token.
     *
     * @throws UserFacingException 409 when it is another user's, or the user has another account at the provider
     */
    public void link(User user, String provider, ExternalIdentity identity, Actor actor) {
        Optional<Long> owner = ownerOf(provider, identity.externalId());
        if (owner.isPresent() && owner.get() != user.id()) {
            audit.record(actor, AuditAction.EXTERNAL_SIGN_IN_REFUSED, "user:" + user.username(),
                    provider + " account " + identity.login() + " is connected to another user");
            throw UserFacingException.conflict("This " + provider + " account (" + identity.login()
                    + ") is already connected to another Miaobu user.");
        }
        if (owner.isPresent()) {
            update(provider, identity, false);
            return;
        }
        Optional<Linked> other = find(user.id(), provider);
        if (other.isPresent()) {
            throw UserFacingException.conflict("You are already connected to " + provider + " as "
                    + other.get().login() + ". Disconnect that account first.");
        }
        try {
            jdbi.useTransaction(handle -> insert(handle, provider, identity, user.id(), clock.instant(), null));
        } catch (UnableToExecuteStatementException raced) {
            throw UserFacingException.conflict("This " + provider + " account was connected meanwhile. Reload the"
                    + " page to see to whom.");
        }
        audit.record(actor, AuditAction.IDENTITY_LINKED, "user:" + user.username(),
                provider + " account " + identity.login());
    }

    /**
     * Disconnects the user's account at {@code provider}, forgetting its token.
     *
     * @throws UserFacingException 404 when there is none, 409 when it is the user's only way to sign in
     */
    public Linked unlink(User user, String provider, Actor actor) {
        Linked linked = find(user.id(), provider)
                .orElseThrow(() -> UserFacingException.notFound("You have no connected " + provider + " account."));
        if (!accounts.hasPassword(user.id()) && list(user.id()).size() <= 1) {
            throw UserFacingException.conflict("This is your only way to sign in. Set a password first, then"
                    + " disconnect it.");
        }
        jdbi.useHandle(handle -> handle.createUpdate("DELETE FROM external_identities WHERE user_id = ? AND provider = ?")
                .bind(0, user.id()).bind(1, provider).execute());
        audit.record(actor, AuditAction.IDENTITY_UNLINKED, "user:" + user.username(),
                provider + " account " + linked.login());
        return linked;
    }

    /** The names of the projects that fetch from {@code provider} with this user's token (they stop working without it). */
    public List<String> projectsActingWith(long userId, String provider) {
        return jdbi.withHandle(handle -> handle.createQuery(
                        "SELECT name FROM projects WHERE source_user_id = ? AND source_provider = ? ORDER BY name")
                .bind(0, userId).bind(1, provider).mapTo(String.class).list());
    }

    private Optional<Long> ownerOf(String provider, String externalId) {
        return jdbi.withHandle(handle -> handle.createQuery(
                        "SELECT user_id FROM external_identities WHERE provider = ? AND external_id = ?")
                .bind(0, provider).bind(1, externalId).mapTo(Long.class).findOne());
    }

    private void insert(Handle handle, String provider, ExternalIdentity identity, long userId, Instant linkedAt,
                        Instant signedInAt) {
        handle.createUpdate("""
                        INSERT INTO external_identities (provider, external_id, user_id, login, sealed_token, linked_at,
                                                         last_sign_in_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?)""")
                .bind(0, provider).bind(1, identity.externalId()).bind(2, userId).bind(3, login(identity))
                .bind(4, sealedToken(identity)).bind(5, linkedAt).bind(6, signedInAt)
                .execute();
    }

    /** The new token and login after a sign-in or a repeated connection. */
    private void update(String provider, ExternalIdentity identity, boolean signedIn) {
        String signInColumn = signedIn ? ", last_sign_in_at = :now" : "";
        String sealed = sealedToken(identity);
        jdbi.useHandle(handle -> {
            var update = handle.createUpdate("UPDATE external_identities SET login = :login,"
                            + " sealed_token = :token" + signInColumn + " WHERE provider = :provider"
                            + " AND external_id = :externalId")
                    .bind("login", login(identity)).bind("token", sealed)
                    .bind("provider", provider).bind("externalId", identity.externalId());
            if (signedIn) {
                update.bind("now", clock.instant());
            }
            update.execute();
        });
    }

    private String sealedToken(ExternalIdentity identity) {
        return identity.accessToken() == null || identity.accessToken().isEmpty() ? null
                : credentials.seal(identity.accessToken());
    }

    private static String login(ExternalIdentity identity) {
        String login = identity.login().strip();
        return login.length() > 255 ? login.substring(0, 255) : login;
    }

    private static Linked linked(java.sql.ResultSet rs, org.jdbi.v3.core.statement.StatementContext ctx)
            throws java.sql.SQLException {
        return new Linked(rs.getString(1), rs.getString(2), rs.getTimestamp(3).toInstant(),
                rs.getTimestamp(4) == null ? null : rs.getTimestamp(4).toInstant());
    }
}
