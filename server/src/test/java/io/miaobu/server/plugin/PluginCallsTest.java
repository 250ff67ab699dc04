package io.miaobu.server.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A request never waits longer than the limit for a plugin. */
class PluginCallsTest {

    private final PluginCalls calls = new PluginCalls(Duration.ofMillis(200));
    private final CountDownLatch never = new CountDownLatch(1);

    @AfterEach
    void release() {
        never.countDown();
        calls.stop();
    }

    @Test
    void answersWhatThePluginReturnsOrThrows() {
        assertThat(calls.call(() -> "checked")).isEqualTo("checked");
        assertThatThrownBy(() -> calls.call(() -> {
            throw new IllegalStateException("plugin broke");
        })).isInstanceOf(IllegalStateException.class).hasMessage("plugin broke");
    }

    @Test
    void givesUpOnAPluginThatHangsAndRefusesAtOnceWhenEveryWorkerIsStuck() {
        assertThatThrownBy(() -> calls.call(() -> awaitIgnoringInterrupts()))
                .isInstanceOf(PluginCalls.NoAnswer.class)
                .hasMessageContaining("no answer within 200 ms");
        for (int i = 1; i < 8; i++) {
            assertThatThrownBy(() -> calls.call(() -> awaitIgnoringInterrupts()))
                    .isInstanceOf(PluginCalls.NoAnswer.class);
        }

        assertThatThrownBy(() -> calls.call(() -> "quick"))
                .isInstanceOf(PluginCalls.NoAnswer.class)
                .hasMessageContaining("Too many calls into plugins are still waiting");
    }

    private boolean awaitIgnoringInterrupts() {
        while (true) {
            try {
                return never.await(1, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                // a plugin deaf to interrupts: its worker stays busy
            }
        }
    }
}
