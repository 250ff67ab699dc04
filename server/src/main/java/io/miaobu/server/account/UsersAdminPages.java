package io.miaobu.server.account;

import io.miaobu.server.auth.AccessFilter;
import io.miaobu.server.auth.AccountService;
import io.miaobu.server.auth.Allow;
import io.miaobu.server.auth.Permission;
import io.miaobu.server.auth.SessionService;
import io.miaobu.server.auth.User;
import io.miaobu.server.web.Formats;
import io.miaobu.server.web.PageRenderer;
import io.miaobu.server.web.UserFacingException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.glassfish.jersey.server.ContainerRequest;

/** The admins' users page. */
@Path("admin/users")
@Produces(MediaType.TEXT_HTML)
@Consumes(MediaType.APPLICATION_FORM_URLENCODED)
@Allow(Permission.ADMIN)
public final class UsersAdminPages {

    private final AccountService accounts;
    private final SessionService sessions;
    private final PageRenderer pages;
    private final Clock clock;

    public UsersAdminPages(AccountService accounts, SessionService sessions, PageRenderer pages, Clock clock) {
        this.accounts = accounts;
        this.sessions = sessions;
        this.pages = pages;
        this.clock = clock;
    }

    @GET
    public Response page(@Context ContainerRequest request) {
        return page(request, Map.of(), Map.of("username", "", "role", "user"), 200);
    }

    @POST
    public Response create(@FormParam("username") String username, @FormParam("password") String password,
                           @FormParam("role") String role, @Context ContainerRequest request) {
        try {
            User user = accounts.createUser(username, password, UsersAdminApi.parseRole(role),
                    AccessFilter.actor(request));
            return pages.redirect("/admin/users", "Added " + user.username() + ".");
        } catch (UserFacingException e) {
            return page(request, PageRenderer.errorsOf(e), Map.of("username", username == null ? "" : username,
                    "role", role == null ? "user" : role), e.status());
        }
    }

    @POST
    @Path("{userId}/role")
    public Response changeRole(@PathParam("userId") long userId, @FormParam("role") String role,
                               @Context ContainerRequest request) {
        return act(request, () -> {
            User user = accounts.changeRole(userId, UsersAdminApi.parseRole(role), AccessFilter.actor(request));
            return user.username() + " is now " + user.role().name().toLowerCase(Locale.ROOT) + ".";
        });
    }

    @POST
    @Path("{userId}/unlock")
    public Response unlock(@PathParam("userId") long userId, @Context ContainerRequest request) {
        return act(request, () -> "Unlocked " + accounts.unlock(userId, AccessFilter.actor(request)).username() + ".");
    }

    @POST
    @Path("{userId}/lock")
    public Response lock(@PathParam("userId") long userId, @FormParam("minutes") String minutes,
                         @Context ContainerRequest request) {
        return act(request, () -> {
            int count;
            try {
                count = Integer.parseInt(minutes == null ? "" : minutes.strip());
            } catch (NumberFormatException e) {
                count = -1;
            }
            if (count < 1 || count > 525_600) {
                throw UserFacingException.invalid("minutes", "Lock for 1 to 525600 minutes.");
            }
            User user = accounts.lock(userId, clock.instant().plus(Duration.ofMinutes(count)),
                    AccessFilter.actor(request));
            sessions.endAll(userId, null, "account locked by an admin");
            return "Locked " + user.username() + " for " + count + " minutes.";
        });
    }

    @POST
    @Path("{userId}/password")
    public Response resetPassword(@PathParam("userId") long userId, @FormParam("password") String password,
                                  @Context ContainerRequest request) {
        return act(request, () -> {
            accounts.resetPassword(userId, password, AccessFilter.actor(request));
            sessions.endAll(userId, null, "password reset by an admin");
            return "Password set for " + accounts.get(userId).username() + "; their sessions were signed out.";
        });
    }

    @POST
    @Path("{userId}/delete")
    public Response delete(@PathParam("userId") long userId, @FormParam("confirmUsername") String confirm,
                           @Context ContainerRequest request) {
        return act(request, () -> {
            User user = accounts.get(userId);
            if (confirm == null || !confirm.strip().equals(user.username())) {
                throw UserFacingException.invalid("confirmUsername", "Type the username to confirm.");
            }
            accounts.delete(userId, AccessFilter.actor(request));
            return "Deleted " + user.username() + ".";
        });
    }

    private Response act(ContainerRequest request, Supplier<String> action) {
        try {
            return pages.redirect("/admin/users", action.get());
        } catch (UserFacingException e) {
            if (e.status() == 404) {
                throw e;
            }
            var errors = new HashMap<String, String>();
            errors.put("_form", e.getMessage());
            return page(request, errors, Map.of("username", "", "role", "user"), e.status());
        }
    }

    private Response page(ContainerRequest request, Map<String, String> errors, Map<String, String> form, int status) {
        Instant now = clock.instant();
        long self = AccessFilter.currentUser(request).id();
        var users = accounts.list().stream().map(u -> {
            var row = new HashMap<String, Object>();
            row.put("id", u.id());
            row.put("username", u.username());
            row.put("role", u.role().name().toLowerCase(Locale.ROOT));
            row.put("createdAt", Formats.dateTime(u.createdAt()));
            row.put("locked", u.isLockedAt(now));
            row.put("lockedUntil", u.isLockedAt(now) ? Formats.dateTime(u.lockedUntil()) : null);
            row.put("failedSignIns", u.failedSignIns());
            row.put("self", u.id() == self);
            return row;
        }).toList();
        return pages.render(request, "admin-users", Map.of("users", users, "errors", errors, "form", form), status);
    }
}
