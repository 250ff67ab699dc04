package ${package};

import static io.miaobu.api.testkit.RecordingOutboundHttp.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.miaobu.api.MiaobuExtension;
import io.miaobu.api.config.ConfigValues;
import io.miaobu.api.host.OutboundRequest;
import io.miaobu.api.notify.DeliveryFailedException;
import io.miaobu.api.notify.DeliveryReceipt;
import io.miaobu.api.notify.EventKind;
import io.miaobu.api.notify.NotDeliverableException;
import io.miaobu.api.notify.NotificationEvent;
import io.miaobu.api.testkit.ExtensionContract;
import io.miaobu.api.testkit.RecordingOutboundHttp;
import io.miaobu.api.testkit.TestEvents;
import io.miaobu.api.testkit.TestSettings;
import org.junit.jupiter.api.Test;

/**
 * Extending {@link ExtensionContract} runs the rules every extension should pass (id, schemas, constructor,
 * META-INF/extensions.idx, ...); the tests below are this notifier's own, on the testkit's fakes.
 */
class ${notifierClass}Test extends ExtensionContract {

    private final RecordingOutboundHttp http = new RecordingOutboundHttp();
    private final ${notifierClass} notifier = new ${notifierClass}(http);
    private final ConfigValues channel = TestSettings.forSchema(notifier.channelSettings())
            .set("url", "https://ntfy.example.com/deploys")
            .set("token", "s3cret")
            .build();

    @Override
    protected MiaobuExtension extension() {
        return notifier;
    }

    @Test
    void postsTheSummaryAndTheLinkAsPlainText() throws Exception {
        DeliveryReceipt receipt = notifier.deliver(TestEvents.of(EventKind.DEPLOYMENT_FAILED),
                TestEvents.context(channel));

        assertThat(receipt.statusCode()).isEqualTo(200);
        OutboundRequest request = http.lastRequest();
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.uri()).hasToString("https://ntfy.example.com/deploys");
        assertThat(RecordingOutboundHttp.bodyText(request))
                .isEqualTo("My site: deployment #42 failed http://localhost:8080/deployments/42");
        assertThat(request.headers())
                .containsEntry("Authorization", "Bearer s3cret")
                .containsEntry("X-Miaobu-Event", "deployment.failed")
                .containsEntry("X-Miaobu-Delivery", "test-delivery-1");
    }

    @Test
    void deliversEveryKindOfEvent() throws Exception {
        for (NotificationEvent event : TestEvents.everyKind()) {
            notifier.deliver(event, TestEvents.context(channel));
        }

        assertThat(http.requests()).hasSize(TestEvents.everyKind().size());
    }

    @Test
    void isRetriedWhenTheReceiverFails() {
        var failing = new ${notifierClass}(RecordingOutboundHttp.answering(status(503, "")));

        assertThatThrownBy(() -> failing.deliver(TestEvents.of(EventKind.TEST), TestEvents.context(channel)))
                .isExactlyInstanceOf(DeliveryFailedException.class)
                .hasMessage("HTTP 503 from ntfy.example.com");
    }

    @Test
    void givesUpAtOnceWhenTheAddressIsNotAllowed() {
        var refusing = new ${notifierClass}(new RecordingOutboundHttp().refuse("ntfy.example.com"));

        assertThatThrownBy(() -> refusing.deliver(TestEvents.of(EventKind.TEST), TestEvents.context(channel)))
                .isInstanceOf(NotDeliverableException.class);
    }
}
