package io.miaobu.server.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;

/**
 * Every webhook delivery received, with its outcome; the claims that make each delivery id count once per project;
 * and the kept bodies that redelivery runs again.
 */
public final class WebhookDeliveryLog {

    /** Headers never kept: credentials a proxy or client might add. */
    private static final Set<String> NOT_KEPT = Set.of("authorization", "cookie", "proxy-authorization");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int REASON_MAX = 1000;

    private final Jdbi jdbi;
    private final Clock clock;

    public WebhookDeliveryLog(Jdbi jdbi, Clock clock) {
        this.jdbi = jdbi;
        this.clock = clock;
    }

    /** A delivery about to be recorded. */
    public record Entry(Long projectId, String source, String deliveryId, String event, DeliveryOutcome outcome,
                        String reason, int httpStatus, Long deploymentId, Long redeliveryOf,
                        Map<String, List<String>> headers, byte[] body, String clientAddress) {
    }

    public long record(Entry entry) {
        byte[] gzipped = entry.body() == null ? null : gzip(entry.body());
        return jdbi.withHandle(handle -> handle.createUpdate("""
                        INSERT INTO webhook_deliveries (project_id, source, delivery_id, event, received_at, outcome,
                            reason, http_status, deployment_id, redelivery_of, headers, body_gzip, client_address)
                        VALUES (:project, :source, :delivery, :event, :at, :outcome, :reason, :status, :deployment,
                            :redeliveryOf, :headers, :body, :address)""")
                .bind("project", entry.projectId())
                .bind("source", cut(entry.source(), 64))
                .bind("delivery", cut(entry.deliveryId() == null ? "" : entry.deliveryId(), 128))
                .bind("event", cut(entry.event() == null || entry.event().isEmpty() ? "unknown" : entry.event(), 64))
                .bind("at", clock.instant())
                .bind("outcome", entry.outcome().name())
                .bind("reason", cut(entry.reason(), REASON_MAX))
                .bind("status", entry.httpStatus())
                .bind("deployment", entry.deploymentId())
                .bind("redeliveryOf", entry.redeliveryOf())
                .bind("headers", entry.headers() == null ? null : cut(headersJson(entry.headers()), 16000))
                .bind("body", gzipped)
                .bind("address", cut(entry.clientAddress(), 64))
                .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one());
    }

    /**
     * Claims a delivery id for a project: true the first time, false for a replay. An empty id cannot be claimed (the
     * sender gave none) and always counts as new.
     */
    public boolean claim(long projectId, String source, String deliveryId) {
        if (deliveryId == null || deliveryId.isEmpty()) {
            return true;
        }
        try {
            jdbi.useHandle(handle -> handle.createUpdate("""
                            INSERT INTO webhook_delivery_claims (project_id, source, delivery_id, claimed_at)
                            VALUES (:project, :source, :delivery, :at)""")
                    .bind("project", projectId).bind("source", source).bind("delivery", cut(deliveryId, 128))
                    .bind("at", clock.instant()).execute());
            return true;
        } catch (UnableToExecuteStatementException e) {
            if (isUniqueViolation(e)) {
                return false;
            }
            throw e;
        }
    }

    /** Gives a claim back, so that a delivery whose handling failed can be sent again by the source host. */
    public void release(long projectId, String source, String deliveryId) {
        if (deliveryId == null || deliveryId.isEmpty()) {
            return;
        }
        jdbi.useHandle(handle -> handle.createUpdate("""
                        DELETE FROM webhook_delivery_claims
                        WHERE project_id = :project AND source = :source AND delivery_id = :delivery""")
                .bind("project", projectId).bind("source", source).bind("delivery", cut(deliveryId, 128))
                .execute());
    }

    public List<RecordedDelivery> listForProject(long projectId, int limit) {
        return jdbi.withHandle(handle -> handle.createQuery("""
                        SELECT id, project_id, source, delivery_id, event, received_at, outcome, reason, http_status,
                            deployment_id, redelivery_of, body_gzip IS NOT NULL AS has_body, client_address
                        FROM webhook_deliveries WHERE project_id = :project ORDER BY id DESC LIMIT :limit""")
                .bind("project", projectId).bind("limit", limit)
                .map((rs, ctx) -> row(rs)).list());
    }

    /** Deliveries that matched no project (unknown or deleted project, or a source that does not fit). */
    public List<RecordedDelivery> listUnmatched(int limit) {
        return jdbi.withHandle(handle -> handle.createQuery("""
                        SELECT id, project_id, source, delivery_id, event, received_at, outcome, reason, http_status,
                            deployment_id, redelivery_of, body_gzip IS NOT NULL AS has_body, client_address
                        FROM webhook_deliveries WHERE project_id IS NULL ORDER BY id DESC LIMIT :limit""")
                .bind("limit", limit)
                .map((rs, ctx) -> row(rs)).list());
    }

    public Optional<RecordedDelivery> find(long id) {
        return jdbi.withHandle(handle -> handle.createQuery("""
                        SELECT id, project_id, source, delivery_id, event, received_at, outcome, reason, http_status,
                            deployment_id, redelivery_of, body_gzip IS NOT NULL AS has_body, client_address
                        FROM webhook_deliveries WHERE id = :id""")
                .bind("id", id)
                .map((rs, ctx) -> row(rs)).findOne());
    }

    /** The kept request of a delivery: its headers and body, for redelivery. */
    public record KeptRequest(Map<String, List<String>> headers, byte[] body) {
    }

    public Optional<KeptRequest> keptRequest(long id) {
        return jdbi.withHandle(handle -> handle.createQuery(
                        "SELECT headers, body_gzip FROM webhook_deliveries WHERE id = :id AND body_gzip IS NOT NULL")
                .bind("id", id)
                .map((rs, ctx) -> new KeptRequest(parseHeaders(rs.getString(1)), gunzip(rs.getBytes(2))))
                .findOne());
    }

    /** The headers a delivery came with, for showing: signatures are left out. */
    public Map<String, List<String>> shownHeaders(long id) {
        Map<String, List<String>> headers = jdbi.withHandle(handle -> handle.createQuery(
                        "SELECT headers FROM webhook_deliveries WHERE id = :id")
                .bind("id", id).mapTo(String.class).findOne()).map(WebhookDeliveryLog::parseHeaders).orElse(Map.of());
        var shown = new TreeMap<String, List<String>>(headers);
        shown.keySet().removeIf(name -> name.contains("signature") || name.contains("token"));
        return shown;
    }

    /** Deletes records older than {@code before}, keeping each project's latest {@code keepLatest}. */
    public int purgeBefore(Instant before, int keepLatest) {
        return jdbi.withHandle(handle -> deleteOld(handle, before, keepLatest));
    }

    /**
     * Forgets claims older than {@code before}. GitHub lets a delivery be redelivered for three days, so claims are
     * kept for longer than that; a replay after they are gone is still refused by "commit already deployed" when it
     * would deploy the same commit.
     */
    public int purgeClaimsBefore(Instant before) {
        return jdbi.withHandle(handle -> handle.createUpdate(
                        "DELETE FROM webhook_delivery_claims WHERE claimed_at < :before")
                .bind("before", before).execute());
    }

    private static int deleteOld(Handle handle, Instant before, int keepLatest) {
        return handle.createUpdate("""
                        DELETE FROM webhook_deliveries WHERE received_at < :before AND id NOT IN (
                            SELECT id FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY project_id ORDER BY id DESC) AS n
                                            FROM webhook_deliveries) ranked WHERE n <= :keep)""")
                .bind("before", before).bind("keep", keepLatest).execute();
    }

    private static RecordedDelivery row(ResultSet rs) throws SQLException {
        return new RecordedDelivery(rs.getLong("id"), rs.getObject("project_id", Long.class), rs.getString("source"),
                rs.getString("delivery_id"), rs.getString("event"),
                rs.getObject("received_at", java.time.OffsetDateTime.class).toInstant(),
                DeliveryOutcome.valueOf(rs.getString("outcome")), rs.getString("reason"), rs.getInt("http_status"),
                rs.getObject("deployment_id", Long.class), rs.getObject("redelivery_of", Long.class),
                rs.getBoolean("has_body"), rs.getString("client_address"));
    }

    static String headersJson(Map<String, List<String>> headers) {
        var kept = new TreeMap<String, List<String>>();
        headers.forEach((name, values) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (!NOT_KEPT.contains(lower)) {
                kept.put(lower, values);
            }
        });
        try {
            return JSON.writeValueAsString(kept);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static Map<String, List<String>> parseHeaders(String json) {
        if (json == null) {
            return Map.of();
        }
        try {
            return JSON.readValue(json, new TypeReference<Map<String, List<String>>>() { });
        } catch (IOException e) {
            return Map.of();
        }
    }

    private static byte[] gzip(byte[] body) {
        var out = new ByteArrayOutputStream(Math.max(64, body.length / 4));
        try (var gzip = new GZIPOutputStream(out)) {
            gzip.write(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static byte[] gunzip(byte[] gzipped) {
        try (var in = new GZIPInputStream(new ByteArrayInputStream(gzipped))) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean isUniqueViolation(UnableToExecuteStatementException e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql && sql.getSQLState() != null
                    && sql.getSQLState().startsWith("23")) {
                return true;
            }
        }
        return false;
    }

    private static String cut(String value, int max) {
        if (value == null) {
            return null;
        }
        return value.length() <= max ? value : value.substring(0, max);
    }
}
