package io.miaobu.plugin.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.miaobu.api.notify.DeliveryFailedException;
import io.miaobu.api.notify.DeliveryReceipt;
import io.miaobu.api.notify.NotDeliverableException;
import io.miaobu.api.notify.NotificationEvent.DeploymentSucceeded;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What a delivery reports for each kind of answer, or for no answer at all. */
class DeliveryOutcomeTest {

    private static final DeploymentSucceeded EVENT = new DeploymentSucceeded(Events.AT, Events.PROJECT,
            Events.DEPLOYMENT);

    private final TestReceiver receiver = new TestReceiver();
    private final JdkOutboundHttp http = JdkOutboundHttp.open();
    private final WebhookNotifier notifier = new WebhookNotifier(http, Clock.systemUTC());

    DeliveryOutcomeTest() throws IOException {
    }

    @AfterEach
    void stopReceiver() {
        receiver.close();
    }

    @Test
    void reportsA2xxAsDelivered() throws Exception {
        receiver.answer(202, "");

        DeliveryReceipt receipt = notifier.deliver(EVENT, Events.channel(receiver.url("/"), "miaobu", Events.SECRET));

        assertThat(receipt.statusCode()).isEqualTo(202);
        assertThat(receipt.detail()).isEqualTo("202 Accepted");
        assertThat(receipt.refusedRecipients()).isEmpty();
    }

    @Test
    void failsWithTheStatusAndTheStartOfTheAnswerOnA5xx() {
        receiver.answer(500, "Internal error\n" + "x".repeat(300));

        DeliveryFailedException failure = catchThrowableOfType(DeliveryFailedException.class,
                () -> notifier.deliver(EVENT, Events.channel(receiver.url("/"), "miaobu", Events.SECRET)));

        assertThat(failure).isNotInstanceOf(NotDeliverableException.class);
        assertThat(failure.statusCode()).isEqualTo(500);
        assertThat(failure.getMessage()).isEqualTo("HTTP 500 from 127.0.0.1: Internal error " + "x".repeat(185)
                + "…");
    }

    @Test
    void failsWithoutABodyExcerptWhenTheAnswerHasNone() {
        receiver.answer(503, "");

        assertThatThrownBy(() -> notifier.deliver(EVENT, Events.channel(receiver.url("/"), "miaobu", null)))
                .isInstanceOf(DeliveryFailedException.class)
                .hasMessage("HTTP 503 from 127.0.0.1");
    }

    @Test
    void givesUpOnAWebhookThatIsGone() {
        receiver.answer(410, "hook deleted");

        NotDeliverableException failure = catchThrowableOfType(NotDeliverableException.class,
                () -> notifier.deliver(EVENT, Events.channel(receiver.url("/"), "miaobu", Events.SECRET)));

        assertThat(failure.statusCode()).isEqualTo(410);
        assertThat(failure.getMessage())
                .isEqualTo("HTTP 410 from 127.0.0.1: the receiver says this webhook is gone: hook deleted");
    }

    @Test
    void doesNotFollowRedirects() throws Exception {
        receiver.answer(301, "");

        assertThatThrownBy(() -> notifier.deliver(EVENT, Events.channel(receiver.url("/old"), "miaobu", null)))
                .isInstanceOf(DeliveryFailedException.class)
                .hasMessageStartingWith("HTTP 301 from 127.0.0.1: Miaobu does not follow redirects")
                .extracting(e -> ((DeliveryFailedException) e).statusCode()).isEqualTo(301);
        assertThat(receiver.next().uri().getPath()).isEqualTo("/old");
    }

    @Test
    @Timeout(30)
    void givesUpOnAReceiverThatNeverAnswersWhenTheRequestTimesOut() throws Exception {
        receiver.hang();
        var impatient = new WebhookNotifier(http, Clock.systemUTC(), Duration.ofSeconds(1));

        DeliveryFailedException failure = catchThrowableOfType(DeliveryFailedException.class,
                () -> impatient.deliver(EVENT, Events.channel(receiver.url("/"), "miaobu", null)));

        assertThat(failure).isNotInstanceOf(NotDeliverableException.class);
        assertThat(failure.statusCode()).isZero();
        assertThat(failure.getMessage()).isEqualTo("No answer from 127.0.0.1 within 1 s");
        assertThat(receiver.next()).as("the receiver got the request").isNotNull();
        assertThat(receiver.waiting()).as("and had not answered when the delivery gave up").isEqualTo(1);
        assertThat(http.sent()).singleElement().extracting(request -> request.timeout())
                .isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void asksForTenSecondsByDefault() throws Exception {
        notifier.deliver(EVENT, Events.channel(receiver.url("/"), "miaobu", null));

        assertThat(http.sent()).singleElement().extracting(request -> request.timeout())
                .isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void failsWithStatusZeroWhenNothingListens() throws Exception {
        int closedPort;
        try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }

        DeliveryFailedException failure = catchThrowableOfType(DeliveryFailedException.class, () -> notifier.deliver(
                EVENT, Events.channel("http://127.0.0.1:" + closedPort + "/hook?token=s3cr3t", "miaobu", null)));

        assertThat(failure).isNotInstanceOf(NotDeliverableException.class);
        assertThat(failure.statusCode()).isZero();
        assertThat(failure.getMessage()).isEqualTo("Could not reach 127.0.0.1: connection refused");
    }

    @Test
    void givesUpWhenTheHostDoesNotAllowTheAddress() {
        var guarded = new WebhookNotifier(JdkOutboundHttp.guarded(), Clock.systemUTC());

        NotDeliverableException failure = catchThrowableOfType(NotDeliverableException.class,
                () -> guarded.deliver(EVENT, Events.channel(receiver.url("/"), "miaobu", Events.SECRET)));

        assertThat(failure.getMessage())
                .isEqualTo("Calling 127.0.0.1 (127.0.0.1) is not allowed: it is an internal address.");
        assertThat(failure.statusCode()).isZero();
    }
}
