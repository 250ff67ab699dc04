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

/**
 * A project's notification channels (webhooks, team addresses): listed by its members, managed by maintainers and
 * owners.
 */
@Path("api/v1/projects/{projectId}/notifications/channels")
@Produces(MediaType.APPLICATION_JSON)
public final class ProjectNotificationsApi {

    private final NotificationChannels channels;
    private final ChannelApiSupport support;

    public ProjectNotificationsApi(NotificationChannels channels, ChannelApiSupport support) {
        this.channels = channels;
        this.support = support;
    }

    @GET
    @Allow(Permission.PROJECT_VIEW)
    public Listing<ChannelApiSupport.ChannelView> list(@PathParam("projectId") long projectId,
                                                       @Context ContainerRequest request) {
        return new Listing<>(channels.list(Channel.Scope.PROJECT, projectId, null).stream()
                .map(channel -> support.view(channel, null)).toList(), false);
    }

    /** Creates a channel; a generated secret (a webhook's) is in the answer this once. */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Allow(Permission.PROJECT_CONFIGURE)
    public Response create(@PathParam("projectId") long projectId,
                           NotificationChannels.ChannelRequest body, @Context ContainerRequest request) {
        var created = channels.create(Channel.Scope.PROJECT, projectId, null, ChannelApiSupport.body(body),
                AccessFilter.actor(request));
        return Response.status(Response.Status.CREATED)
                .entity(support.view(created.channel(), created.generatedSecrets())).build();
    }

    @GET
    @Path("{channelId}")
    @Allow(Permission.PROJECT_VIEW)
    public ChannelApiSupport.ChannelView get(@PathParam("projectId") long projectId,
                                             @PathParam("channelId") long channelId,
                                             @Context ContainerRequest request) {
        return support.view(channel(projectId, channelId, request), null);
    }

    @PUT
    @Path("{channelId}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Allow(Permission.PROJECT_CONFIGURE)
    public ChannelApiSupport.ChannelView update(@PathParam("projectId") long projectId,
                                                @PathParam("channelId") long channelId,
                                                NotificationChannels.ChannelRequest body,
                                                @Context ContainerRequest request) {
        return support.view(channels.update(channel(projectId, channelId, request), ChannelApiSupport.body(body),
                AccessFilter.actor(request)), null);
    }

    @DELETE
    @Path("{channelId}")
    @Allow(Permission.PROJECT_CONFIGURE)
    public Response delete(@PathParam("projectId") long projectId,
                           @PathParam("channelId") long channelId, @Context ContainerRequest request) {
        channels.delete(channel(projectId, channelId, request), AccessFilter.actor(request));
        return Response.noContent().build();
    }

    /** Sends a test notification through the channel now and says what the receiver answered. */
    @POST
    @Path("{channelId}/test")
    @Allow(Permission.PROJECT_CONFIGURE)
    public ChannelApiSupport.TestResult test(@PathParam("projectId") long projectId,
                                             @PathParam("channelId") long channelId,
                                             @Context ContainerRequest request) {
        return support.test(channel(projectId, channelId, request), AccessFilter.currentUser(request));
    }

    /** The channel's delivery log, newest first. */
    @GET
    @Path("{channelId}/deliveries")
    @Allow(Permission.PROJECT_VIEW)
    public Listing<NotificationDeliveries.Delivery> deliveries(@PathParam("projectId") long projectId,
                                                               @PathParam("channelId") long channelId,
                                                              @QueryParam("limit") Integer limit,
                                                              @Context ContainerRequest request) {
        return new Listing<>(support.deliveries(channel(projectId, channelId, request), limit), false);
    }

    /** The channel, if it belongs to this scope; 404 otherwise, as for a channel that does not exist. */
    private Channel channel(@PathParam("projectId") long projectId, long channelId, ContainerRequest request) {
        User caller = AccessFilter.currentUser(request);
        return channels.find(channelId)
                .filter(channel -> channel.scope() == Channel.Scope.PROJECT)
                .filter(channel -> channel.projectId() != null && projectId == channel.projectId())
                .orElseThrow(() -> UserFacingException.notFound("No notification channel " + channelId + " here."));
    }
}
