package io.miaobu.api.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.miaobu.api.testkit.RecordingDns01Solver.TxtRecord;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RecordingDns01SolverTest {

    private final RecordingDns01Solver solver = new RecordingDns01Solver();

    @Test
    void publishesUnderAcmeChallengeWithoutTheWildcard() throws Exception {
        String id = solver.publish("*.example.com", "digest", Duration.ofMinutes(2));

        assertThat(id).isEqualTo("txt-1");
        assertThat(solver.records()).containsExactly(
                new TxtRecord("txt-1", "_acme-challenge.example.com", "digest", Duration.ofMinutes(2)));
    }

    @Test
    void removesRecordsButRemembersThem() throws Exception {
        String first = solver.publish("example.com", "a", Duration.ofSeconds(1));
        solver.publish("www.example.com", "b", Duration.ofSeconds(1));

        solver.remove(first);
        solver.remove(first);

        assertThat(solver.records()).extracting(TxtRecord::name).containsExactly("_acme-challenge.www.example.com");
        assertThat(solver.everPublished()).hasSize(2);
    }

    @Test
    void throwsWhenTheCallerIsInterrupted() {
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> solver.publish("example.com", "a", Duration.ofSeconds(1)))
                    .isInstanceOf(InterruptedException.class);
        } finally {
            Thread.interrupted();
        }
        assertThat(solver.everPublished()).isEmpty();
    }
}
