package io.miaobu.server.auth;

import io.miaobu.server.audit.Actor;
import io.miaobu.server.audit.AuditAction;
import io.miaobu.server.audit.AuditLog;
import io.miaobu.server.ratelimit.ClientAddress;
import io.miaobu.server.ratelimit.RateLimitPolicies;
import io.miaobu.server.ratelimit.RateLimiter;
import io.miaobu.server.ratelimit.RateLimits;
import io.miaobu.server.web.UserFacingException;
import jakarta.ws.rs.container.ContainerRequestContext;

/**
 * Signing in and out, for the pages and the API alike. Failed sign-ins count against the account (which locks after
 * the lockout policy's threshold) and against the client's address (which is refused for a while after too many,
 * whichever accounts it tried).
 */
public final class SignIns {

    private final AccountService accounts;
    private final SessionService sessions;
    private final RateLimiter limiter;
    private final AuditLog audit;

    public SignIns(AccountService accounts, SessionService sessions, RateLimiter limiter, AuditLog audit) {
        this.accounts = accounts;
        this.sessions = sessions;
        this.limiter = limiter;
        this.audit = audit;
    }

    /**
     * Checks the credentials and starts a session.
     *
     * @throws UserFacingException 401 for wrong credentials, 403 for a locked account, 429 for an address with too
     *                             many recent failures
     */
    public SessionService.Tokens signIn(String username, String password, String userAgent,
                                        ContainerRequestContext request) {
        String address = ClientAddress.of(request);
        RateLimits.Decision standing = limiter.peek(RateLimitPolicies.SIGN_IN_FAILURES, address);
        if (!standing.allowed()) {
            throw UserFacingException.tooManyRequests("Too many failed sign-ins from your address. Try again in "
                    + standing.retryAfterSeconds() + " seconds.", standing.retryAfterSeconds());
        }
        // nobody is signed in yet: the attempt is anonymous; the account it names is the audit line's target
        Actor actor = new Actor(null, null, address);
        User user;
        try {
            user = accounts.signIn(username, password, actor);
        } catch (UserFacingException e) {
            if (e.status() == 401) {
                limiter.check(RateLimitPolicies.SIGN_IN_FAILURES, address);
            }
            throw e;
        }
        return sessions.start(user, address, userAgent);
    }

    /** Ends the caller's session. */
    public void signOut(Caller caller, Actor actor) {
        if (caller.sessionId() != null) {
            sessions.end(caller.user().id(), caller.sessionId(), "signed out");
            audit.record(actor, AuditAction.SIGNED_OUT, "user:" + caller.user().username(), null);
        }
    }
}
