package io.miaobu.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class FormatsTest {

    @Test
    void showsShortBuildsWithTenthsAndLongOnesInMinutes() {
        assertThat(Formats.duration(Duration.ofMillis(840))).isEqualTo("0.8 s");
        assertThat(Formats.duration(Duration.ofMillis(9_960))).isEqualTo("10.0 s");
        assertThat(Formats.duration(Duration.ofSeconds(42))).isEqualTo("42 s");
        assertThat(Formats.duration(Duration.ofSeconds(125))).isEqualTo("2 min 5 s");
        assertThat(Formats.duration(null)).isEmpty();
    }

    @Test
    void showsTimesInUtc() {
        assertThat(Formats.dateTime(Instant.parse("2026-11-26T13:25:42.5Z"))).isEqualTo("2026-11-26 13:25:42 UTC");
        assertThat(Formats.dateTime(null)).isEmpty();
    }
}
