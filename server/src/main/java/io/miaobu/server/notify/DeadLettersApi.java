package io.miaobu.server.notify;

import io.miaobu.server.auth.AccessFilter;
import io.miaobu.server.auth.Allow;
import io.miaobu.server.auth.Permission;
import io.miaobu.server.web.Listing;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.glassfish.jersey.server.ContainerRequest;

/** Deliveries that failed for good, for admins to look at, retry or drop; and any delivery's tries. */
@Path("api/v1/admin/notifications/deliveries")
@Produces(MediaType.APPLICATION_JSON)
public final class DeadLettersApi {

    private final NotificationDeliveries deliveries;

    public DeadLettersApi(NotificationDeliveries deliveries) {
        this.deliveries = deliveries;
    }

    /** {@code ?status=dead} (the default): the dead letters, newest first. */
    @GET
    @Allow(Permission.ADMIN)
    public Listing<NotificationDeliveries.Delivery> deadLetters(@QueryParam("limit") Integer limit) {
        return new Listing<>(deliveries.deadLetters(limit == null ? 100 : Math.max(1, Math.min(limit, 1000))),
                false);
    }

    public record DeliveryDetail(NotificationDeliveries.Delivery delivery, List<NotificationDeliveries.Try> tries) {
    }

    @GET
    @Path("{deliveryId}")
    @Allow(Permission.ADMIN)
    public DeliveryDetail get(@PathParam("deliveryId") long deliveryId) {
        return new DeliveryDetail(deliveries.get(deliveryId), deliveries.tries(deliveryId));
    }

    /** Gives a dead letter one more try, now. */
    @POST
    @Path("{deliveryId}/retry")
    @Allow(Permission.ADMIN)
    public NotificationDeliveries.Delivery retry(@PathParam("deliveryId") long deliveryId,
                                                 @Context ContainerRequest request) {
        return deliveries.retry(deliveryId, AccessFilter.actor(request));
    }

    /** Gives up on a dead letter. */
    @POST
    @Path("{deliveryId}/drop")
    @Allow(Permission.ADMIN)
    public NotificationDeliveries.Delivery drop(@PathParam("deliveryId") long deliveryId,
                                                @Context ContainerRequest request) {
        return deliveries.drop(deliveryId, AccessFilter.actor(request));
    }
}
