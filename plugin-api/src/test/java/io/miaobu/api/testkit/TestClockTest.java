package io.miaobu.api.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class TestClockTest {

    private static final Instant START = Instant.parse("2026-01-02T03:04:05Z");

    @Test
    void standsStillUntilMoved() {
        var clock = TestClock.at(START);

        assertThat(clock.instant()).isEqualTo(START);
        clock.advance(Duration.ofMinutes(5));
        assertThat(clock.instant()).isEqualTo(START.plusSeconds(300));
        clock.set(START);
        assertThat(clock.millis()).isEqualTo(START.toEpochMilli());
    }

    @Test
    void isUtc() {
        assertThat(TestClock.at(START).getZone()).isEqualTo(ZoneOffset.UTC);
    }
}
