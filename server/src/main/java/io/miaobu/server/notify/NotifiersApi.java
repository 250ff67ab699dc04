package io.miaobu.server.notify;

import io.miaobu.api.notify.EventKind;
import io.miaobu.server.auth.AccessFilter;
import io.miaobu.server.auth.Allow;
import io.miaobu.server.auth.Permission;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.glassfish.jersey.server.ContainerRequest;

/** The installed notifiers with their channel settings, and the event kinds one can subscribe to. */
@Path("api/v1/notifiers")
@Produces(MediaType.APPLICATION_JSON)
public final class NotifiersApi {

    private final ChannelApiSupport support;

    public NotifiersApi(ChannelApiSupport support) {
        this.support = support;
    }

    public record Notifiers(List<ChannelApiSupport.NotifierView> notifiers, List<String> events,
                            List<String> defaultEvents) {
    }

    @GET
    @Allow(Permission.SIGNED_IN)
    public Notifiers list() {
        return new Notifiers(support.notifiers(), EventKinds.SUBSCRIBABLE.stream().map(EventKind::wireName).toList(),
                EventKinds.DEFAULTS.stream().map(EventKind::wireName).toList());
    }

    /** Sends a test with the notifier's server settings to the caller's own address (the SMTP settings' button). */
    @POST
    @Path("{notifierId}/test")
    @Allow(Permission.ADMIN)
    public ChannelApiSupport.TestResult test(@PathParam("notifierId") String notifierId,
                                             @Context ContainerRequest request) {
        return support.testNotifier(notifierId, AccessFilter.currentUser(request));
    }
}
