package io.miaobu.server.notify;

import io.miaobu.server.auth.AccessFilter;
import io.miaobu.server.auth.Allow;
import io.miaobu.server.auth.Permission;
import io.miaobu.server.auth.User;
import io.miaobu.server.web.Listing;
import io.miaobu.server.web.UserFacingException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.glassfish.jersey.server.ContainerRequest;

/** The admins' notification channels: server events (plugins, certificates) and project events of every project. */
@Path("api/v1/admin/notifications/channels")
@Produces(MediaType.APPLICATION_JSON)
public final class AdminNotificationsApi {

    private final NotificationChannels channels;
    private final ChannelApiSupport support;

    public AdminNotificationsApi(NotificationChannels channels, ChannelApiSupport support) {
        this.channels = channels;
        this.support = support;
    }

    @GET
    @Allow(Permission.ADMIN)
    public Listing<ChannelApiSupport.ChannelView> list(@Context ContainerRequest request) {
        return new Listing<>(channels.list(Channel.Scope.SERVER, null, null).stream()
                .map(channel -> support.view(channel, null)).toList(), false);
    }

    /** Creates a channel; a generated secret (a webhook's) is in the answer this once. */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Allow(Permission.ADMIN)
    public Response create(NotificationChannels.ChannelRequest body, @Context ContainerRequest request) {
        var created = channels.create(Channel.Scope.SERVER, null, null, ChannelApiSupport.body(body),
                AccessFilter.actor(request));
        return Response.status(Response.Status.CREATED)
                .entity(support.view(created.channel(), created.generatedSecrets())).build();
    }

    @GET
    @Path("{channelId}")
    @Allow(Permission.ADMIN)
    public ChannelApiSupport.ChannelView get(@PathParam("channelId") long channelId,
                                             @Context ContainerRequest request) {
        return support.view(channel(channelId, request), null);
    }

    @PUT
    @Path("{channelId}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Allow(Permission.ADMIN)
    public ChannelApiSupport.ChannelView update(@PathParam("channelId") long channelId,
                                                NotificationChannels.ChannelRequest body,
                                                @Context ContainerRequest request) {
        return support.view(channels.update(channel(channelId, request), ChannelApiSupport.body(body),
                AccessFilter.actor(request)), null);
    }

    @DELETE
    @Path("{channelId}")
    @Allow(Permission.ADMIN)
    public Response delete(@PathParam("channelId") long channelId, @Context ContainerRequest request) {
        channels.delete(channel(channelId, request), AccessFilter.actor(request));
        return Response.noContent().build();
    }

    /** Sends a test notification through the channel now and says what the receiver answered. */
    @POST
    @Path("{channelId}/test")
    @Allow(Permission.ADMIN)
    public ChannelApiSupport.TestResult test(@PathParam("channelId") long channelId,
                                             @Context ContainerRequest request) {
        return support.test(channel(channelId, request), AccessFilter.currentUser(request));
    }

    /** The channel's delivery log, newest first. */
    @GET
    @Path("{channelId}/deliveries")
    @Allow(Permission.ADMIN)
    public Listing<NotificationDeliveries.Delivery> deliveries(@PathParam("channelId") long channelId,
                                                              @QueryParam("limit") Integer limit,
                                                              @Context ContainerRequest request) {
        return new Listing<>(support.deliveries(channel(channelId, request), limit), false);
    }

    /** The channel, if it belongs to this scope; 404 otherwise, as for a channel that does not exist. */
    private Channel channel(long channelId, ContainerRequest request) {
        User caller = AccessFilter.currentUser(request);
        return channels.find(channelId)
                .filter(channel -> channel.scope() == Channel.Scope.SERVER)
                .filter(channel -> true)
                .orElseThrow(() -> UserFacingException.notFound("No notification channel " + channelId + " here."));
    }
}
