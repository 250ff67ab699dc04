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
    void showsSizesInBinaryUnits() {
        assertThat(Formats.bytes(0)).isEqualTo("0 B");
        assertThat(Formats.bytes(1023)).isEqualTo("1023 B");
        assertThat(Formats.bytes(1536)).isEqualTo("1.5 KiB");
        assertThat(Formats.bytes(20L * 1024 * 1024)).isEqualTo("20.0 MiB");
        assertThat(Formats.bytes(3_435_973_837L)).isEqualTo("3.2 GiB");
        assertThat(Formats.bytes(Long.MAX_VALUE)).isEqualTo("8.0 EiB");
    }

    @Test
    void showsTimesInUtc() {
        assertThat(Formats.dateTime(Instant.parse("2026-11-26T13:25:42.5Z"))).isEqualTo("2026-11-26 13:25:42 UTC");
        assertThat(Formats.dateTime(null)).isEmpty();
    }
}
