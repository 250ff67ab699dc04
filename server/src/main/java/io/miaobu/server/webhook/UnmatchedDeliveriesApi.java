package io.miaobu.server.webhook;

import io.miaobu.server.auth.Allow;
import io.miaobu.server.auth.Permission;
import io.miaobu.server.web.Listing;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/** Webhook deliveries that matched no project (unknown or deleted project), for admins tracing a stray hook. */
@Path("api/v1/admin/webhook-deliveries")
@Produces(MediaType.APPLICATION_JSON)
public final class UnmatchedDeliveriesApi {

    private final WebhookDeliveryLog log;

    public UnmatchedDeliveriesApi(WebhookDeliveryLog log) {
        this.log = log;
    }

    @GET
    @Allow(Permission.ADMIN)
    public Listing<RecordedDelivery> unmatched(@QueryParam("limit") Integer limit) {
        int size = limit == null ? 50 : Math.max(1, Math.min(200, limit));
        List<RecordedDelivery> page = log.listUnmatched(size + 1);
        return new Listing<>(page.subList(0, Math.min(size, page.size())), page.size() > size);
    }
}
