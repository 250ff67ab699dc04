package io.miaobu.server.audit;

import io.miaobu.server.auth.Allow;
import io.miaobu.server.auth.Permission;
import io.miaobu.server.web.UserFacingException;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/** The audit log in the API, for admins: newest first, filtered by action and actor, paged by event id. */
@Path("api/v1/admin/audit")
@Produces(MediaType.APPLICATION_JSON)
@Allow(Permission.ADMIN)
public final class AuditApi {

    private final AuditLog audit;

    public AuditApi(AuditLog audit) {
        this.audit = audit;
    }

    /**
     * @param before only events older than this event id (the {@code nextBefore} of the previous page)
     * @param action only events with this action code
     * @param actor  only events of this user (by name)
     */
    @GET
    public AuditEvents list(@QueryParam("before") Long before, @QueryParam("action") String action,
                          @QueryParam("actor") String actor, @QueryParam("limit") @DefaultValue("100") int limit) {
        if (limit < 1 || limit > 500) {
            throw UserFacingException.invalid("limit", "limit is between 1 and 500.");
        }
        List<AuditEvent> events = audit.list(before, action, actor, limit + 1);
        boolean more = events.size() > limit;
        List<AuditEvent> shown = events.stream().limit(limit).toList();
        return new AuditEvents(shown, more, more ? shown.get(shown.size() - 1).id() : null);
    }

    /** @param nextBefore pass as {@code before} for the next (older) page; null on the last page */
    public record AuditEvents(List<AuditEvent> items, boolean hasMore, Long nextBefore) {
    }
}
