package io.miaobu.server.audit;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.reflect.ConstructorMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes and reads the audit log. Services call {@link #record} after the change they describe; the log also goes to
 * the server log (logger {@code io.miaobu.audit}) so that it reaches a log collector.
 */
public final class AuditLog {

    private static final Logger LOG = LoggerFactory.getLogger("io.miaobu.audit");
    private static final int MAX_DETAIL = 2000;
    private static final java.util.regex.Pattern CONTROL = java.util.regex.Pattern.compile("\\p{Cntrl}");
    /** Every action code, sorted: what filters may ask for. */
    public static final List<String> ACTION_CODES = java.util.Arrays.stream(AuditAction.values())
            .map(AuditAction::code).sorted().toList();

    private final Jdbi jdbi;
    private final Clock clock;

    public AuditLog(Jdbi jdbi, Clock clock) {
        this.jdbi = jdbi;
        this.clock = clock;
    }

    public void record(Actor actor, AuditAction action, String target, String detail) {
        Instant now = clock.instant();
        String shortDetail = detail == null ? null : truncate(printable(detail), MAX_DETAIL);
        String name = actor.name() == null ? null : truncate(printable(actor.name()), 64);
        String cleanTarget = target == null ? null : truncate(printable(target), 255);
        jdbi.useHandle(handle -> handle.createUpdate("""
                        INSERT INTO audit_events (occurred_at, actor_id, actor_name, action, target, client_address, detail)
                        VALUES (:at, :actorId, :actorName, :action, :target, :address, :detail)""")
                .bind("at", now)
                .bind("actorId", actor.userId())
                .bind("actorName", name)
                .bind("action", action.code())
                .bind("target", cleanTarget)
                .bind("address", actor.clientAddress() == null ? null : truncate(actor.clientAddress(), 64))
                .bind("detail", shortDetail)
                .execute());
        LOG.info("{} by {} from {} on {}{}", action.code(), name == null ? "anonymous" : name, actor.clientAddress(),
                cleanTarget,
                shortDetail == null ? "" : ": " + shortDetail);
    }

    /**
     * The newest events first, up to {@code limit}, older than event {@code beforeId} when given (to page back).
     *
     * @param action    only this action's code; all when {@code null}
     * @param actorName only events of the user by this name; all when {@code null}
     * @throws io.miaobu.server.web.UserFacingException 400 for an action that does not exist
     */
    public List<AuditEvent> list(Long beforeId, String action, String actorName, int limit) {
        if (action != null && ACTION_CODES.stream().noneMatch(action::equals)) {
            throw io.miaobu.server.web.UserFacingException.invalid("action", "Unknown action '" + action + "'.");
        }
        var sql = new StringBuilder("SELECT * FROM audit_events WHERE 1 = 1");
        if (beforeId != null) {
            sql.append(" AND id < :before");
        }
        if (action != null) {
            sql.append(" AND action = :action");
        }
        if (actorName != null) {
            sql.append(" AND actor_name = :actorName");
        }
        sql.append(" ORDER BY id DESC");
        return jdbi.withHandle(handle -> {
            var query = handle.createQuery(sql.toString());
            if (beforeId != null) {
                query.bind("before", beforeId.longValue());
            }
            if (action != null) {
                query.bind("action", action);
            }
            if (actorName != null) {
                query.bind("actorName", actorName);
            }
            return query.setMaxRows(limit).map(ConstructorMapper.of(AuditEvent.class)).list();
        });
    }

    /** Control characters (a newline in an attempted username) would let a caller forge log lines: shown as '?'. */
    private static String printable(String text) {
        return CONTROL.matcher(text).replaceAll("?");
    }

    private static String truncate(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max);
    }
}
