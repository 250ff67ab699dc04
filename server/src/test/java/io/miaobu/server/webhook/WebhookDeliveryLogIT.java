package io.miaobu.server.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import io.miaobu.server.persistence.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The webhook delivery log and its claims, on H2 and on PostgreSQL. */
class WebhookDeliveryLogIT {

    private static final Instant NOW = Instant.parse("2026-11-26T10:15:30Z");

    @TempDir
    static Path temp;

    private TestDatabase database;

    private Jdbi open(String kind) throws Exception {
        database = TestDatabase.open(kind, temp);
        return database.jdbi();
    }

    @AfterEach
    void close() throws Exception {
        if (database != null) {
            database.close();
        }
    }

    private static long project(Jdbi jdbi, String slug) {
        return jdbi.withHandle(handle -> handle.createUpdate("""
                        INSERT INTO projects (slug, name, repository_url, branch, source_provider, builder,
                            deploy_target, created_at, updated_at)
                        VALUES (:slug, :slug, 'https://github.com/octo/site.git', 'main', 'github', 'node',
                            'local-storage', :now, :now)""")
                .bind("slug", slug).bind("now", NOW)
                .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one());
    }

    @ParameterizedTest
    @MethodSource("io.miaobu.server.persistence.TestDatabase#kinds")
    void aDeliveryIdIsClaimedOncePerProjectAndCanBeGivenBack(String kind) throws Exception {
        Jdbi jdbi = open(kind);
        var log = new WebhookDeliveryLog(jdbi, Clock.fixed(NOW, ZoneOffset.UTC));
        long first = project(jdbi, "first");
        long second = project(jdbi, "second");

        assertThat(log.claim(first, "github", "abc-1")).isTrue();
        assertThat(log.claim(first, "github", "abc-1")).as("a replay").isFalse();
        assertThat(log.claim(second, "github", "abc-1")).as("the same id for another project").isTrue();
        assertThat(log.claim(first, "github", "")).as("no id: cannot tell").isTrue();
        assertThat(log.claim(first, "github", "")).isTrue();

        log.release(first, "github", "abc-1");
        assertThat(log.claim(first, "github", "abc-1")).as("after a failed handling").isTrue();
    }

    @ParameterizedTest
    @MethodSource("io.miaobu.server.persistence.TestDatabase#kinds")
    void recordsDeliveriesWithTheirBodyAndHeadersButNoCredentials(String kind) throws Exception {
        Jdbi jdbi = open(kind);
        var log = new WebhookDeliveryLog(jdbi, Clock.fixed(NOW, ZoneOffset.UTC));
        long project = project(jdbi, "site");
        byte[] body = "{\"zen\": \"Keep it logically awesome.\"}".repeat(2000).getBytes(StandardCharsets.UTF_8);
        Map<String, List<String>> headers = Map.of("X-GitHub-Event", List.of("push"),
                "X-Hub-Signature-256", List.of("sha256=00ff"), "Authorization", List.of("Bearer hunter2"),
                "Cookie", List.of("miaobu_session=x"));

        long kept = log.record(new WebhookDeliveryLog.Entry(project, "github", "d-1", "push",
                DeliveryOutcome.PROCESSED, "Push to main: deployment #3 queued.", 202, null, null, headers, body,
                "192.0.2.1"));
        long refused = log.record(new WebhookDeliveryLog.Entry(null, "github", "d-2", "push",
                DeliveryOutcome.REFUSED, "No project 77 receives webhooks here.", 404, null, null, headers, null,
                "192.0.2.1"));

        RecordedDelivery delivery = log.find(kept).orElseThrow();
        assertThat(delivery.projectId()).isEqualTo(project);
        assertThat(delivery.outcome()).isEqualTo(DeliveryOutcome.PROCESSED);
        assertThat(delivery.httpStatus()).isEqualTo(202);
        assertThat(delivery.receivedAt()).isEqualTo(NOW);
        assertThat(delivery.redeliverable()).isTrue();
        var request = log.keptRequest(kept).orElseThrow();
        assertThat(request.body()).isEqualTo(body);
        assertThat(request.headers()).containsOnlyKeys("x-github-event", "x-hub-signature-256");
        assertThat(log.shownHeaders(kept)).containsOnlyKeys("x-github-event");

        RecordedDelivery unmatched = log.find(refused).orElseThrow();
        assertThat(unmatched.projectId()).isNull();
        assertThat(unmatched.redeliverable()).isFalse();
        assertThat(log.keptRequest(refused)).isEmpty();
        assertThat(log.listForProject(project, 10)).extracting(RecordedDelivery::id).containsExactly(kept);
        assertThat(log.listUnmatched(10)).extracting(RecordedDelivery::id).containsExactly(refused);
    }

    @ParameterizedTest
    @MethodSource("io.miaobu.server.persistence.TestDatabase#kinds")
    void purgingKeepsTheLatestOfEachProject(String kind) throws Exception {
        Jdbi jdbi = open(kind);
        var log = new WebhookDeliveryLog(jdbi, Clock.fixed(NOW, ZoneOffset.UTC));
        long project = project(jdbi, "site");
        for (int i = 0; i < 5; i++) {
            log.record(new WebhookDeliveryLog.Entry(project, "github", "d-" + i, "push", DeliveryOutcome.IGNORED,
                    "Branch not deployed.", 200, null, null, Map.of(), null, null));
        }

        int purged = log.purgeBefore(NOW.plusSeconds(1), 2);

        assertThat(purged).isEqualTo(3);
        assertThat(log.listForProject(project, 10)).extracting(RecordedDelivery::deliveryId)
                .containsExactly("d-4", "d-3");
    }
}
