package io.miaobu.server.notify;

import io.miaobu.api.notify.Notifier;
import io.miaobu.server.auth.AccessFilter;
import io.miaobu.server.auth.Allow;
import io.miaobu.server.auth.Permission;
import io.miaobu.server.auth.User;
import io.miaobu.server.web.PageRenderer;
import io.miaobu.server.web.UserFacingException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Form;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.HashMap;
import java.util.Map;
import org.glassfish.jersey.server.ContainerRequest;

/**
 * A person's own notifications: their email address, and their subscriptions to the events of all their projects.
 * Rooted at its own path: Jersey picks one root resource per request, and {@code account} (AccountPages) would
 * otherwise take these paths and answer 404.
 */
@Path("account/notifications")
@Produces(MediaType.TEXT_HTML)
@Allow(Permission.SIGNED_IN)
public final class AccountNotificationPages {

    private static final String BASE = "/account/notifications";

    private final ChannelPages channels;
    private final NotificationChannels installed;
    private final UserEmails emails;
    private final PageRenderer pages;

    public AccountNotificationPages(ChannelPages channels, NotificationChannels installed, UserEmails emails,
                                    PageRenderer pages) {
        this.channels = channels;
        this.installed = installed;
        this.emails = emails;
        this.pages = pages;
    }

    @GET
    public Response page(@QueryParam("notifier") String notifier, @Context ContainerRequest request) {
        return page(request, notifier, Map.of(), null, null, null, 200);
    }

    @POST
    @Path("email")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response setEmail(@FormParam("email") String email, @Context ContainerRequest request) {
        User user = AccessFilter.currentUser(request);
        try {
            var stored = emails.set(user.id(), user.username(), email, AccessFilter.actor(request));
            return pages.redirect(BASE, stored.map(address -> "Notifications for you now go to " + address + ".")
                    .orElse("Your email address is removed; nothing is sent to you by email."));
        } catch (UserFacingException e) {
            return page(request, null, PageRenderer.errorsOf(e), null, null, email, e.status());
        }
    }

    /** Adds a subscription; a secret generated for it is on the answer's page, this once. */
    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response create(Form form, @Context ContainerRequest request) {
        ChannelPages.Place place = place(request);
        try {
            var created = channels.create(place, form, AccessFilter.actor(request));
            if (created.generatedSecrets().isEmpty()) {
                return pages.redirect(BASE, "Added " + created.channel().name() + ".");
            }
            // rendered, not redirected: the secret must not travel in a cookie; pages are never cached
            return page(request, null, Map.of(), null, channels.newSecrets(created), null, 201);
        } catch (UserFacingException e) {
            return page(request, form.asMap().getFirst("notifier"), PageRenderer.errorsOf(e),
                    ChannelPages.submitted(form), null, null, e.status());
        }
    }

    @GET
    @Path("{channelId}")
    public Response channel(@PathParam("channelId") long channelId, @Context ContainerRequest request) {
        return channelPage(request, channelId, Map.of(), null, 200);
    }

    @POST
    @Path("{channelId}")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response update(@PathParam("channelId") long channelId, Form form, @Context ContainerRequest request) {
        ChannelPages.Place place = place(request);
        Channel channel = channels.find(place, channelId);
        try {
            Channel changed = channels.update(channel, form, AccessFilter.actor(request));
            return pages.redirect(place.channelPage(channelId), "Saved " + changed.name() + ".");
        } catch (UserFacingException e) {
            if (e.status() == 404) {
                throw e;
            }
            return channelPage(request, channelId, PageRenderer.errorsOf(e), ChannelPages.submitted(form), e.status());
        }
    }

    @POST
    @Path("{channelId}/enable")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response enable(@PathParam("channelId") long channelId, @Context ContainerRequest request) {
        ChannelPages.Place place = place(request);
        return channels.setEnabled(place, channels.find(place, channelId), true, AccessFilter.actor(request));
    }

    @POST
    @Path("{channelId}/disable")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response disable(@PathParam("channelId") long channelId, @Context ContainerRequest request) {
        ChannelPages.Place place = place(request);
        return channels.setEnabled(place, channels.find(place, channelId), false, AccessFilter.actor(request));
    }

    @POST
    @Path("{channelId}/delete")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response delete(@PathParam("channelId") long channelId, @Context ContainerRequest request) {
        ChannelPages.Place place = place(request);
        return channels.delete(place, channels.find(place, channelId), AccessFilter.actor(request));
    }

    /** Sends a test through the channel now; the answer is the next page's flash message. */
    @POST
    @Path("{channelId}/test")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response test(@PathParam("channelId") long channelId, @FormParam("back") String back,
                         @Context ContainerRequest request) {
        ChannelPages.Place place = place(request);
        return channels.test(place, channels.find(place, channelId), AccessFilter.currentUser(request), back);
    }

    private static ChannelPages.Place place(ContainerRequest request) {
        return new ChannelPages.Place(Channel.Scope.USER, null, AccessFilter.currentUser(request).id(), BASE);
    }

    private Response page(ContainerRequest request, String notifier, Map<String, String> errors,
                          Map<String, Object> form, Map<String, Object> newSecrets, String typedEmail, int status) {
        User user = AccessFilter.currentUser(request);
        var model = new HashMap<>(channels.listModel(place(request), notifier, true, errors, form));
        String email = emails.of(user.id()).orElse(null);
        model.put("email", email == null ? "" : email);
        model.put("emailForm", typedEmail != null ? typedEmail : email == null ? "" : email);
        model.put("emailNotifier", installed.installed().stream().anyMatch(Notifier::deliversToPeople));
        if (newSecrets != null) {
            model.put("newSecrets", newSecrets);
        }
        return pages.render(request, "account-notifications", model, status);
    }

    private Response channelPage(ContainerRequest request, long channelId, Map<String, String> errors,
                                 Map<String, Object> form, int status) {
        ChannelPages.Place place = place(request);
        var model = new HashMap<>(channels.channelModel(place, channels.find(place, channelId), true, errors, form));
        model.put("scope", "account");
        return pages.render(request, "notification-channel", model, status);
    }
}
