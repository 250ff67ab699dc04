package io.miaobu.api.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RecordingHttp01SolverTest {

    private final RecordingHttp01Solver solver = new RecordingHttp01Solver();

    @Test
    void answersAPublishedTokenForItsDomain() {
        solver.publish("example.com", "tok", "tok.key");

        assertThat(solver.answer("example.com", "tok")).contains("tok.key");
        assertThat(solver.answer("other.example", "tok")).isEmpty();
        assertThat(solver.answer("example.com", "unknown")).isEmpty();
    }

    @Test
    void stopsAnsweringARemovedTokenButRemembersIt() {
        solver.publish("example.com", "tok", "tok.key");
        solver.remove("example.com", "tok");
        solver.remove("example.com", "never-published");

        assertThat(solver.answer("example.com", "tok")).isEmpty();
        assertThat(solver.published()).isEmpty();
        assertThat(solver.everPublished()).containsKey("tok");
    }
}
