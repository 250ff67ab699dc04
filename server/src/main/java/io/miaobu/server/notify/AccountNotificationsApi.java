package io.miaobu.server.notify;

import io.miaobu.server.auth.AccessFilter;
import io.miaobu.server.auth.Allow;
import io.miaobu.server.auth.Permission;
import io.miaobu.server.auth.User;
import io.miaobu.server.member.ProjectMembers;
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

/** A person's own notification subscriptions: which events, through which notifier, for all their projects or one. */
@Path("api/v1/account/notifications/channels")
@Produces(MediaType.APPLICATION_JSON)
public final class AccountNotificationsApi {

    private final NotificationChannels channels;
    private final ChannelApiSupport support;
    private final ProjectMembers members;

    public AccountNotificationsApi(NotificationChannels channels, ChannelApiSupport support, ProjectMembers members) {
        this.members = members;
        this.channels = channels;
        this.support = support;
    }

    @GET
    @Allow(Permission.SIGNED_IN)
    public Listing<ChannelApiSupport.ChannelView> list(@Context ContainerRequest request) {
        return new Listing<>(channels.list(Channel.Scope.USER, null, AccessFilter.currentUser(request).id())
                .stream()
                .map(channel -> support.view(channel, null)).toList(), false);
    }

    /**
     * Creates a channel, for every project of the caller or, with {@code ?projectId=}, for one they are a member of; a
     * generated secret (a webhook's) is in the answer this once.
     */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Allow(Permission.SIGNED_IN)
    public Response create(NotificationChannels.ChannelRequest body, @QueryParam("projectId") Long projectId,
                           @Context ContainerRequest request) {
        User caller = AccessFilter.currentUser(request);
        if (projectId != null && !caller.isAdmin() && members.roleOf(projectId, caller.id()).isEmpty()) {
            throw UserFacingException.invalid("projectId", "You are not a member of project " + projectId + ".");
        }
        var created = channels.create(Channel.Scope.USER, projectId, caller.id(), ChannelApiSupport.body(body),
                AccessFilter.actor(request));
        return Response.status(Response.Status.CREATED)
                .entity(support.view(created.channel(), created.generatedSecrets())).build();
    }

    @GET
    @Path("{channelId}")
    @Allow(Permission.SIGNED_IN)
    public ChannelApiSupport.ChannelView get(@PathParam("channelId") long channelId,
                                             @Context ContainerRequest request) {
        return support.view(channel(channelId, request), null);
    }

    @PUT
    @Path("{channelId}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Allow(Permission.SIGNED_IN)
    public ChannelApiSupport.ChannelView update(@PathParam("channelId") long channelId,
                                                NotificationChannels.ChannelRequest body,
                                                @Context ContainerRequest request) {
        return support.view(channels.update(channel(channelId, request), ChannelApiSupport.body(body),
                AccessFilter.actor(request)), null);
    }

    @DELETE
    @Path("{channelId}")
    @Allow(Permission.SIGNED_IN)
    public Response delete(@PathParam("channelId") long channelId, @Context ContainerRequest request) {
        channels.delete(channel(channelId, request), AccessFilter.actor(request));
        return Response.noContent().build();
    }

    /** Sends a test notification through the channel now and says what the receiver answered. */
    @POST
    @Path("{channelId}/test")
    @Allow(Permission.SIGNED_IN)
    public ChannelApiSupport.TestResult test(@PathParam("channelId") long channelId,
                                             @Context ContainerRequest request) {
        return support.test(channel(channelId, request), AccessFilter.currentUser(request));
    }

    /** The channel's delivery log, newest first. */
    @GET
    @Path("{channelId}/deliveries")
    @Allow(Permission.SIGNED_IN)
    public Listing<NotificationDeliveries.Delivery> deliveries(@PathParam("channelId") long channelId,
                                                              @QueryParam("limit") Integer limit,
                                                              @Context ContainerRequest request) {
        return new Listing<>(support.deliveries(channel(channelId, request), limit), false);
    }

    /** The channel, if it belongs to this scope; 404 otherwise, as for a channel that does not exist. */
    private Channel channel(long channelId, ContainerRequest request) {
        User caller = AccessFilter.currentUser(request);
        return channels.find(channelId)
                .filter(channel -> channel.scope() == Channel.Scope.USER)
                .filter(channel -> channel.userId() != null && caller.id() == channel.userId())
                .orElseThrow(() -> UserFacingException.notFound("No notification channel " + channelId + " here."));
    }
}
