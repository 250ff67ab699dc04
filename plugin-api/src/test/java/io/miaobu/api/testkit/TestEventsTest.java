package io.miaobu.api.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.miaobu.api.config.ConfigValues;
import io.miaobu.api.notify.EventKind;
import io.miaobu.api.notify.NotificationEvent;
import java.util.List;
import org.junit.jupiter.api.Test;

class TestEventsTest {

    @Test
    void hasOneSampleOfEveryKindInTheirOrder() {
        assertThat(TestEvents.everyKind()).extracting(NotificationEvent::kind).containsExactly(EventKind.values());
    }

    @Test
    void samplesDescribeThemselves() {
        assertThat(TestEvents.everyKind()).allSatisfy(event -> {
            assertThat(event.summary()).isNotBlank();
            assertThat(event.at()).isEqualTo(TestEvents.AT);
        });
        assertThat(TestEvents.of(EventKind.DEPLOYMENT_FAILED).summary()).isEqualTo("My site: deployment #42 failed");
    }

    @Test
    void makesAFirstDelivery() {
        var channel = ConfigValues.of(java.util.Map.of("url", "https://hooks.example.com/"));

        var context = TestEvents.context(channel);
        var toPeople = TestEvents.context(ConfigValues.EMPTY, ConfigValues.EMPTY, List.of("alice@example.com"));

        assertThat(context.channelSettings()).isSameAs(channel);
        assertThat(context.attempt()).isEqualTo(1);
        assertThat(context.deliveryId()).isEqualTo("test-delivery-1");
        assertThat(toPeople.recipients()).containsExactly("alice@example.com");
    }
}
