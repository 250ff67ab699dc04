package io.miaobu.server.notify;

import io.miaobu.server.audit.Actor;
import io.miaobu.server.audit.AuditAction;
import io.miaobu.server.audit.AuditLog;
import io.miaobu.server.web.UserFacingException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import org.jdbi.v3.core.Jdbi;

/** Reads the delivery log and the dead letters, and lets admins retry or drop a dead letter. */
public final class NotificationDeliveries {

    private static final String SELECT = """
            SELECT d.*, e.kind, e.payload, e.type, e.project_id FROM notification_deliveries d
            JOIN notification_events e ON e.id = d.event_id""";

    private final Jdbi jdbi;
    private final AuditLog audit;
    private final Clock clock;
    private final Runnable wakeDispatcher;

    public NotificationDeliveries(Jdbi jdbi, AuditLog audit, Clock clock, Runnable wakeDispatcher) {
        this.jdbi = jdbi;
        this.audit = audit;
        this.clock = clock;
        this.wakeDispatcher = wakeDispatcher;
    }

    /**
     * One delivery as the log shows it.
     *
     * @param status PENDING (waiting for its next try), SENDING, DELIVERED, DEAD or DROPPED
     * @param detail the receiver's answer, or the last error
     */
    public record Delivery(long id, long eventId, String event, String summary, Long projectId, Long channelId,
                           String notifier, String recipient, String status, int attempts, Integer statusCode,
                           String detail, String refused, Instant createdAt, Instant nextAttemptAt,
                           Instant finishedAt) {
    }

    /** One try of a delivery. */
    public record Try(int attempt, Instant at, boolean succeeded, Integer statusCode, String detail, long durationMs) {
    }

    public List<Delivery> forChannel(long channelId, int limit) {
        return jdbi.withHandle(handle -> handle.createQuery(SELECT + " WHERE d.channel_id = :channel"
                        + " ORDER BY d.id DESC LIMIT :limit")
                .bind("channel", channelId).bind("limit", limit)
                .map((rs, ctx) -> read(rs)).list());
    }

    public List<Delivery> deadLetters(int limit) {
        return jdbi.withHandle(handle -> handle.createQuery(SELECT + " WHERE d.status = 'DEAD'"
                        + " ORDER BY d.id DESC LIMIT :limit")
                .bind("limit", limit).map((rs, ctx) -> read(rs)).list());
    }

    public Delivery get(long id) {
        return jdbi.withHandle(handle -> handle.createQuery(SELECT + " WHERE d.id = ?").bind(0, id)
                        .map((rs, ctx) -> read(rs)).findOne())
                .orElseThrow(() -> UserFacingException.notFound("No delivery " + id + "."));
    }

    public List<Try> tries(long deliveryId) {
        return jdbi.withHandle(handle -> handle.createQuery("""
                        SELECT attempt, at, succeeded, status_code, detail, duration_ms FROM notification_attempts
                        WHERE delivery_id = ? ORDER BY id""")
                .bind(0, deliveryId)
                .map((rs, ctx) -> new Try(rs.getInt(1), rs.getObject(2, OffsetDateTime.class).toInstant(),
                        rs.getBoolean(3), rs.getObject(4, Integer.class), rs.getString(5), rs.getLong(6)))
                .list());
    }

    /** Gives a dead letter one more try, now. */
    public Delivery retry(long id, Actor actor) {
        Delivery delivery = get(id);
        int updated = jdbi.withHandle(handle -> handle.createUpdate("""
                        UPDATE notification_deliveries SET status = 'PENDING', next_attempt_at = :now,
                               finished_at = NULL WHERE id = :id AND status = 'DEAD'""")
                .bind("now", clock.instant()).bind("id", id).execute());
        if (updated != 1) {
            throw UserFacingException.conflict("Delivery " + id + " is " + delivery.status()
                    + "; only a dead letter can be retried.");
        }
        audit.record(actor, AuditAction.DEAD_LETTER_RETRIED, "delivery:" + id, delivery.event());
        wakeDispatcher.run();
        return get(id);
    }

    /** Gives up on a dead letter for good. */
    public Delivery drop(long id, Actor actor) {
        Delivery delivery = get(id);
        int updated = jdbi.withHandle(handle -> handle.createUpdate("""
                        UPDATE notification_deliveries SET status = 'DROPPED', finished_at = :now
                        WHERE id = :id AND status = 'DEAD'""")
                .bind("now", clock.instant()).bind("id", id).execute());
        if (updated != 1) {
            throw UserFacingException.conflict("Delivery " + id + " is " + delivery.status()
                    + "; only a dead letter can be dropped.");
        }
        audit.record(actor, AuditAction.DEAD_LETTER_DROPPED, "delivery:" + id, delivery.event());
        return get(id);
    }

    private static Delivery read(ResultSet rs) throws SQLException {
        Long channelId = rs.getObject("channel_id", Long.class);
        Long projectId = rs.getObject("project_id", Long.class);
        Integer statusCode = rs.getObject("status_code", Integer.class);
        String summary;
        try {
            summary = EventJson.read(rs.getString("type"), rs.getString("payload")).summary();
        } catch (RuntimeException e) {
            summary = rs.getString("kind");
        }
        return new Delivery(rs.getLong("id"), rs.getLong("event_id"), rs.getString("kind"), summary, projectId,
                channelId, rs.getString("notifier"), rs.getString("recipient"), rs.getString("status"),
                rs.getInt("attempts"), statusCode, rs.getString("detail"), rs.getString("refused"),
                instant(rs, "created_at"), instant(rs, "next_attempt_at"), instant(rs, "finished_at"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime time = rs.getObject(column, OffsetDateTime.class);
        return time == null ? null : time.toInstant();
    }
}
