package io.miaobu.server.account;

import io.miaobu.server.auth.AccessFilter;
import io.miaobu.server.auth.AccountService;
import io.miaobu.server.auth.Allow;
import io.miaobu.server.auth.Permission;
import io.miaobu.server.auth.Role;
import io.miaobu.server.auth.SessionService;
import io.miaobu.server.auth.User;
import io.miaobu.server.web.Listing;
import io.miaobu.server.web.UserFacingException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import org.glassfish.jersey.server.ContainerRequest;

/** Admins manage accounts: create, change roles, lock and unlock, reset passwords, delete. */
@Path("api/v1/admin/users")
@Produces(MediaType.APPLICATION_JSON)
@Allow(Permission.ADMIN)
public final class UsersAdminApi {

    private final AccountService accounts;
    private final SessionService sessions;
    private final Clock clock;

    public UsersAdminApi(AccountService accounts, SessionService sessions, Clock clock) {
        this.accounts = accounts;
        this.sessions = sessions;
        this.clock = clock;
    }

    @GET
    public Listing<UserView> list() {
        Instant now = clock.instant();
        return new Listing<>(accounts.list().stream().map(u -> UserView.of(u, now)).toList(), false);
    }

    @GET
    @Path("{userId}")
    public UserView get(@PathParam("userId") long userId) {
        return UserView.of(accounts.get(userId), clock.instant());
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response create(NewUser body, @Context ContainerRequest request) {
        if (body == null) {
            throw UserFacingException.invalid(null, "Send {\"username\": …, \"password\": …, \"role\": \"user\"}.");
        }
        User user = accounts.createUser(body.username(), body.password(), parseRole(body.role()),
                AccessFilter.actor(request));
        return Response.created(URI.create("/api/v1/admin/users/" + user.id()))
                .entity(UserView.of(user, clock.instant())).build();
    }

    /** Changes the role ({@code {"role": "admin"}}). */
    @PATCH
    @Path("{userId}")
    @Consumes(MediaType.APPLICATION_JSON)
    public UserView update(@PathParam("userId") long userId, UserChange body, @Context ContainerRequest request) {
        if (body == null || body.role() == null) {
            throw UserFacingException.invalid("role", "Send {\"role\": \"admin\" or \"user\"}.");
        }
        return UserView.of(accounts.changeRole(userId, parseRole(body.role()), AccessFilter.actor(request)),
                clock.instant());
    }

    @POST
    @Path("{userId}/unlock")
    public UserView unlock(@PathParam("userId") long userId, @Context ContainerRequest request) {
        return UserView.of(accounts.unlock(userId, AccessFilter.actor(request)), clock.instant());
    }

    /** Locks the account for {@code minutes} and ends its sessions. */
    @POST
    @Path("{userId}/lock")
    @Consumes(MediaType.APPLICATION_JSON)
    public UserView lock(@PathParam("userId") long userId, LockRequest body, @Context ContainerRequest request) {
        if (body == null || body.minutes() < 1 || body.minutes() > 525_600) {
            throw UserFacingException.invalid("minutes", "Lock for 1 to 525600 minutes: {\"minutes\": 60}.");
        }
        User user = accounts.lock(userId, clock.instant().plus(Duration.ofMinutes(body.minutes())),
                AccessFilter.actor(request));
        sessions.endAll(userId, null, "account locked by an admin");
        return UserView.of(user, clock.instant());
    }

    /** Sets a new password and ends the user's sessions. */
    @POST
    @Path("{userId}/password")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response resetPassword(@PathParam("userId") long userId, PasswordReset body,
                                  @Context ContainerRequest request) {
        if (body == null) {
            throw UserFacingException.invalid("password", "Send {\"password\": …}.");
        }
        accounts.resetPassword(userId, body.password(), AccessFilter.actor(request));
        sessions.endAll(userId, null, "password reset by an admin");
        return Response.noContent().build();
    }

    @DELETE
    @Path("{userId}")
    public Response delete(@PathParam("userId") long userId, @Context ContainerRequest request) {
        accounts.delete(userId, AccessFilter.actor(request));
        return Response.noContent().build();
    }

    static Role parseRole(String text) {
        if (text == null || text.isBlank()) {
            return Role.USER;
        }
        return switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "admin" -> Role.ADMIN;
            case "user" -> Role.USER;
            default -> throw UserFacingException.invalid("role", "The role is admin or user.");
        };
    }

    public record UserView(long id, String username, String role, Instant createdAt, boolean locked,
                           Instant lockedUntil, int failedSignIns) {
        static UserView of(User user, Instant now) {
            return new UserView(user.id(), user.username(), user.role().name().toLowerCase(Locale.ROOT),
                    user.createdAt(), user.isLockedAt(now), user.isLockedAt(now) ? user.lockedUntil() : null,
                    user.failedSignIns());
        }
    }

    public record NewUser(String username, String password, String role) {
        @Override
        public String toString() {
            return "NewUser[" + username + "]";
        }
    }

    public record UserChange(String role) {
    }

    public record LockRequest(int minutes) {
    }

    public record PasswordReset(String password) {
        @Override
        public String toString() {
            return "PasswordReset[****]";
        }
    }
}
