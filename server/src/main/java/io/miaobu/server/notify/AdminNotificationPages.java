package io.miaobu.server.notify;

import io.miaobu.server.auth.AccessFilter;
import io.miaobu.server.auth.Allow;
import io.miaobu.server.auth.Permission;
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
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Form;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.glassfish.jersey.server.ContainerRequest;

/**
 * The admins' notifications page: the server's channels, and the dead letters to retry or drop, each with its tries;
 * and the test button of a notifier's server settings.
 */
@Path("")
@Produces(MediaType.TEXT_HTML)
@Allow(Permission.ADMIN)
public final class AdminNotificationPages {

    private static final String BASE = "/admin/notifications";
    private static final ChannelPages.Place PLACE = new ChannelPages.Place(Channel.Scope.SERVER, null, null, BASE);
    private static final int DEAD_LETTERS_SHOWN = 100;

    private final ChannelPages channels;
    private final NotificationChannels store;
    private final NotificationDeliveries deliveries;
    private final ChannelApiSupport support;
    private final PageRenderer pages;

    public AdminNotificationPages(ChannelPages channels, NotificationChannels store, NotificationDeliveries deliveries,
                                  ChannelApiSupport support, PageRenderer pages) {
        this.channels = channels;
        this.store = store;
        this.deliveries = deliveries;
        this.support = support;
        this.pages = pages;
    }

    @GET
    @Path("admin/notifications")
    public Response page(@QueryParam("notifier") String notifier, @Context ContainerRequest request) {
        return page(request, notifier, Map.of(), null, null, 200);
    }

    /** Adds a server channel; a secret generated for it is on the answer's page, this once. */
    @POST
    @Path("admin/notifications")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response create(Form form, @Context ContainerRequest request) {
        try {
            var created = channels.create(PLACE, form, AccessFilter.actor(request));
            if (created.generatedSecrets().isEmpty()) {
                return pages.redirect(BASE, "Added " + created.channel().name() + ".");
            }
            // rendered, not redirected: the secret must not travel in a cookie; pages are never cached
            return page(request, null, Map.of(), null, channels.newSecrets(created), 201);
        } catch (UserFacingException e) {
            return page(request, form.asMap().getFirst("notifier"), PageRenderer.errorsOf(e),
                    ChannelPages.submitted(form), null, e.status());
        }
    }

    @GET
    @Path("admin/notifications/{channelId}")
    public Response channel(@PathParam("channelId") long channelId, @Context ContainerRequest request) {
        return channelPage(request, channelId, Map.of(), null, 200);
    }

    @POST
    @Path("admin/notifications/{channelId}")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response update(@PathParam("channelId") long channelId, Form form, @Context ContainerRequest request) {
        Channel channel = channels.find(PLACE, channelId);
        try {
            Channel changed = channels.update(channel, form, AccessFilter.actor(request));
            return pages.redirect(PLACE.channelPage(channelId), "Saved " + changed.name() + ".");
        } catch (UserFacingException e) {
            if (e.status() == 404) {
                throw e;
            }
            return channelPage(request, channelId, PageRenderer.errorsOf(e), ChannelPages.submitted(form), e.status());
        }
    }

    @POST
    @Path("admin/notifications/{channelId}/enable")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response enable(@PathParam("channelId") long channelId, @Context ContainerRequest request) {
        return channels.setEnabled(PLACE, channels.find(PLACE, channelId), true, AccessFilter.actor(request));
    }

    @POST
    @Path("admin/notifications/{channelId}/disable")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response disable(@PathParam("channelId") long channelId, @Context ContainerRequest request) {
        return channels.setEnabled(PLACE, channels.find(PLACE, channelId), false, AccessFilter.actor(request));
    }

    @POST
    @Path("admin/notifications/{channelId}/delete")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response delete(@PathParam("channelId") long channelId, @Context ContainerRequest request) {
        return channels.delete(PLACE, channels.find(PLACE, channelId), AccessFilter.actor(request));
    }

    /** Sends a test through the channel now; the answer is the next page's flash message. */
    @POST
    @Path("admin/notifications/{channelId}/test")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response test(@PathParam("channelId") long channelId, @FormParam("back") String back,
                         @Context ContainerRequest request) {
        return channels.test(PLACE, channels.find(PLACE, channelId), AccessFilter.currentUser(request), back);
    }

    /** One delivery of any channel, with each of its tries. */
    @GET
    @Path("admin/notifications/deliveries/{deliveryId}")
    public Response delivery(@PathParam("deliveryId") long deliveryId, @Context ContainerRequest request) {
        NotificationDeliveries.Delivery delivery = deliveries.get(deliveryId);
        var model = new HashMap<String, Object>();
        var row = new HashMap<>(ChannelPages.delivery(delivery));
        row.putAll(channelOf(delivery.channelId(), new HashMap<>()));
        model.put("delivery", row);
        model.put("tries", deliveries.tries(deliveryId).stream().map(t -> Map.<String, Object>of(
                "attempt", t.attempt(),
                "at", Formats.dateTime(t.at()),
                "atIso", Formats.iso(t.at()),
                "succeeded", t.succeeded(),
                "statusCode", t.statusCode() == null ? "" : t.statusCode().toString(),
                "detail", t.detail() == null ? "" : t.detail(),
                "duration", Formats.duration(Duration.ofMillis(t.durationMs()))))
                .toList());
        return pages.render(request, "admin-delivery", model);
    }

    /** Gives a dead letter one more try, now. */
    @POST
    @Path("admin/notifications/deliveries/{deliveryId}/retry")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response retry(@PathParam("deliveryId") long deliveryId, @FormParam("back") String back,
                          @Context ContainerRequest request) {
        return onDelivery(deliveryId, back, () -> {
            deliveries.retry(deliveryId, AccessFilter.actor(request));
            return "Delivery " + deliveryId + " is being tried again.";
        });
    }

    /** Gives up on a dead letter for good. */
    @POST
    @Path("admin/notifications/deliveries/{deliveryId}/drop")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response drop(@PathParam("deliveryId") long deliveryId, @FormParam("back") String back,
                         @Context ContainerRequest request) {
        return onDelivery(deliveryId, back, () -> {
            deliveries.drop(deliveryId, AccessFilter.actor(request));
            return "Delivery " + deliveryId + " dropped.";
        });
    }

    /** The button on the settings page of a notifier that addresses people: a test to the admin's own address. */
    @POST
    @Path("admin/extensions/Notifier/{extensionId}/test")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response testNotifier(@PathParam("extensionId") String notifierId, @Context ContainerRequest request) {
        String message;
        try {
            message = ChannelPages.describe("the " + notifierId + " settings",
                    support.testNotifier(notifierId, AccessFilter.currentUser(request)));
        } catch (UserFacingException e) {
            if (e.status() == 404) {
                throw e;
            }
            message = "Test not sent: " + e.getMessage();
        }
        return pages.redirect("/admin/extensions/Notifier/"
                + URLEncoder.encode(notifierId, StandardCharsets.UTF_8).replace("+", "%20") + "/settings", message);
    }

    private Response onDelivery(long deliveryId, String back, Supplier<String> action) {
        String target = "delivery".equals(back) ? BASE + "/deliveries/" + deliveryId : BASE;
        String message;
        try {
            message = action.get();
        } catch (UserFacingException e) {
            if (e.status() == 404) {
                throw e;
            }
            message = e.getMessage();
        }
        return pages.redirect(target, message);
    }

    private Response page(ContainerRequest request, String notifier, Map<String, String> errors,
                          Map<String, Object> form, Map<String, Object> newSecrets, int status) {
        var model = new HashMap<>(channels.listModel(PLACE, notifier, true, errors, form));
        var known = new HashMap<Long, Map<String, String>>();
        List<Map<String, Object>> dead = deliveries.deadLetters(DEAD_LETTERS_SHOWN).stream().map(d -> {
            var row = new HashMap<>(ChannelPages.delivery(d));
            row.putAll(channelOf(d.channelId(), known));
            return (Map<String, Object>) row;
        }).toList();
        model.put("deadLetters", dead);
        if (newSecrets != null) {
            model.put("newSecrets", newSecrets);
        }
        return pages.render(request, "admin-notifications", model, status);
    }

    /**
     * A delivery's channel, by name and with the page an admin can open it on (a person's own channel has none, nor
     * does a member's default email); each channel looked up once per page.
     */
    private Map<String, String> channelOf(Long channelId, Map<Long, Map<String, String>> known) {
        if (channelId == null) {
            return Map.of("channel", "", "channelUrl", "");
        }
        return known.computeIfAbsent(channelId, id -> store.find(id).map(channel -> Map.of("channel", channel.name(),
                "channelUrl", switch (channel.scope()) {
                    case SERVER -> PLACE.channelPage(id);
                    case PROJECT -> "/projects/" + channel.projectId() + "/notifications/" + id;
                    case USER -> "";
                })).orElse(Map.of("channel", "#" + id, "channelUrl", "")));
    }

    private Response channelPage(ContainerRequest request, long channelId, Map<String, String> errors,
                                 Map<String, Object> form, int status) {
        var model = new HashMap<>(channels.channelModel(PLACE, channels.find(PLACE, channelId), true, errors, form));
        model.put("scope", "admin");
        return pages.render(request, "notification-channel", model, status);
    }
}
