package io.miaobu.server.webhook;

import io.miaobu.server.auth.Allow;
import io.miaobu.server.auth.Permission;
import io.miaobu.server.ratelimit.ClientAddress;
import io.miaobu.server.ratelimit.RateLimitPolicies;
import io.miaobu.server.ratelimit.RateLimited;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.glassfish.jersey.server.ContainerRequest;

/**
 * {@code POST /hooks/{source}/{project}}: where source hosts deliver webhooks. Public (the signature is the
 * authentication, checked by the source plugin) and rate-limited per address by the {@code webhook} policy alone (GitHub
 * sends every project's deliveries from a few addresses). Every delivery is recorded.
 */
@Path("hooks")
@Allow(Permission.PUBLIC)
@RateLimited(value = RateLimitPolicies.WEBHOOK, replacesGlobal = true)
public final class HooksResource {

    private final WebhookReceiver receiver;

    public HooksResource(WebhookReceiver receiver) {
        this.receiver = receiver;
    }

    /** The answer a sender gets; GitHub shows it in the hook's delivery log. */
    public record Acknowledgement(long delivery, String outcome, String reason, Long deploymentId) {
    }

    @POST
    @Path("{source}/{project}")
    @Produces(MediaType.APPLICATION_JSON)
    public Response receive(@PathParam("source") String source, @PathParam("project") String project,
                            @Context ContainerRequest request) throws IOException {
        byte[] body;
        boolean tooLarge;
        try (InputStream in = request.getEntityStream()) {
            body = in.readNBytes(WebhookReceiver.BODY_LIMIT + 1);
            tooLarge = body.length > WebhookReceiver.BODY_LIMIT;
        }
        Map<String, List<String>> headers = new LinkedHashMap<>(request.getRequestHeaders());
        var answer = receiver.receive(new WebhookReceiver.Incoming(source, project, headers,
                tooLarge ? new byte[0] : body, tooLarge, ClientAddress.of(request)));
        return Response.status(answer.httpStatus())
                .entity(new Acknowledgement(answer.recordId(), answer.outcome().name(), answer.reason(),
                        answer.deploymentId()))
                .build();
    }
}
