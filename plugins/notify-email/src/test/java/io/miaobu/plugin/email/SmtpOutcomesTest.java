package io.miaobu.plugin.email;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.miaobu.api.config.ConfigValues;
import io.miaobu.api.notify.DeliveryFailedException;
import io.miaobu.api.notify.DeliveryReceipt;
import io.miaobu.api.notify.NotDeliverableException;
import io.miaobu.api.notify.NotificationEvent;
import io.miaobu.api.testkit.TestHostInfo;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the notifier reports for each way an SMTP server can answer, against {@link SmtpStandIn}: a real server on a
 * socket that refuses recipients, stays silent, greets badly or speaks TLS.
 */
class SmtpOutcomesTest {

    private static final NotificationEvent EVENT = Samples.failed("My site", "main", "exit code 1");

    @TempDir
    Path home;

    private final SmtpStandIn server = new SmtpStandIn();
    private EmailNotifier notifier;

    @BeforeEach
    void setUp() {
        notifier = new EmailNotifier(new TestHostInfo(home), Clock.systemUTC());
    }

    @AfterEach
    void stopServer() throws Exception {
        server.close();
    }

    @Test
    void listsTheRecipientTheServerRefusedWhenItAcceptedTheOthers() throws Exception {
        server.reply("gone@example.test", "550 5.1.1 <gone@example.test>: Recipient address rejected");

        DeliveryReceipt receipt = notifier.deliver(EVENT,
                Samples.context(plain(), "dev@example.test", "gone@example.test"));

        assertThat(receipt.statusCode()).isEqualTo(250);
        assertThat(receipt.refusedRecipients()).containsExactly("gone@example.test");
        assertThat(receipt.detail()).isEqualTo("accepted for dev@example.test; refused gone@example.test: 550 5.1.1"
                + " <gone@example.test>: Recipient address rejected");
        assertThat(server.received()).singleElement()
                .satisfies(message -> assertThat(message.recipients()).containsExactly("dev@example.test"));
    }

    @Test
    void givesUpOnTheDeliveryWhenEveryRecipientIsRefused() {
        server.reply("gone@example.test", "550 5.1.1 <gone@example.test>: Recipient address rejected");

        assertThatThrownBy(() -> notifier.deliver(EVENT, Samples.context(plain(), "gone@example.test")))
                .isInstanceOfSatisfying(NotDeliverableException.class, e -> {
                    assertThat(e.getMessage()).isEqualTo("The mail server refused gone@example.test: 550 5.1.1"
                            + " <gone@example.test>: Recipient address rejected");
                    assertThat(e.statusCode()).isEqualTo(550);
                });
        assertThat(server.received()).isEmpty();
    }

    @Test
    void retriesARecipientTheServerDeferred() {
        server.reply("busy@example.test", "451 4.7.1 greylisted, try again later");

        assertThatThrownBy(() -> notifier.deliver(EVENT, Samples.context(plain(), "busy@example.test")))
                .isInstanceOfSatisfying(DeliveryFailedException.class, e -> {
                    assertThat(e).isNotInstanceOf(NotDeliverableException.class);
                    assertThat(e.statusCode()).isEqualTo(451);
                    assertThat(e.getMessage()).contains("deferred busy@example.test: 451 4.7.1 greylisted");
                });
    }

    @Test
    void givesUpWhenTheServerRefusesTheSender() {
        server.mailFromReply("553 5.7.1 <miaobu@example.test>: Sender address rejected: not owned by user robot");

        assertThatThrownBy(() -> notifier.deliver(EVENT, Samples.context(plain(), "dev@example.test")))
                .isInstanceOfSatisfying(NotDeliverableException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(553);
                    assertThat(e.getMessage()).isEqualTo("The mail server at 127.0.0.1:" + server.port()
                            + " refused the sender address miaobu@example.test: 553 5.7.1 <miaobu@example.test>:"
                            + " Sender address rejected: not owned by user robot");
                });
    }

    @Test
    void retriesWhenTheServerIsBusy() {
        server.greeting("421 4.3.2 too many connections, try later");

        assertThatThrownBy(() -> notifier.deliver(EVENT, Samples.context(plain(), "dev@example.test")))
                .isInstanceOfSatisfying(DeliveryFailedException.class, e -> {
                    assertThat(e).isNotInstanceOf(NotDeliverableException.class);
                    assertThat(e.statusCode()).isEqualTo(421);
                    assertThat(e.getMessage()).contains("421 4.3.2 too many connections");
                });
    }

    @Test
    void retriesWhenNothingListens() throws Exception {
        int closedPort;
        try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }

        assertThatThrownBy(() -> notifier.deliver(EVENT,
                Samples.context(Samples.settings(closedPort, "none"), "dev@example.test")))
                .isInstanceOfSatisfying(DeliveryFailedException.class, e -> {
                    assertThat(e).isNotInstanceOf(NotDeliverableException.class);
                    assertThat(e.statusCode()).isZero();
                    assertThat(e.getMessage()).isEqualTo("Could not connect to the mail server at 127.0.0.1:"
                            + closedPort + ": Connection refused; trying again later.");
                });
    }

    @Test
    void givesUpOnASilentServerAfterTheTimeoutAndRetriesLater() {
        server.silent();
        ConfigValues oneSecond = Samples.settings(server.port(), "none", Map.of("timeout-seconds", "1"));

        // the bound only stops a hanging build: the notifier must give up after its own 1 s
        DeliveryFailedException failure = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            try {
                notifier.deliver(EVENT, Samples.context(oneSecond, "dev@example.test"));
                return null;
            } catch (DeliveryFailedException e) {
                return e;
            }
        });

        assertThat(failure).isNotNull().isNotInstanceOf(NotDeliverableException.class);
        assertThat(failure.getMessage()).isEqualTo("The mail server at 127.0.0.1:" + server.port()
                + " did not answer within 1 s; trying again later.");
    }

    @Test
    void stopsAtOnceWhenTheThreadIsInterrupted() throws Exception {
        server.silent();
        ConfigValues patient = Samples.settings(server.port(), "none", Map.of("timeout-seconds", "300"));
        var delivery = new FutureTask<>(() -> notifier.deliver(EVENT, Samples.context(patient, "dev@example.test")));
        var thread = new Thread(delivery, "delivery");
        thread.start();
        assertThat(server.awaitConnection(30)).as("the notifier connected").isTrue();

        thread.interrupt();

        // far below the 300 s read timeout: only the interrupt can end the call this early
        assertThatThrownBy(() -> delivery.get(60, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(InterruptedException.class);
        thread.join(TimeUnit.SECONDS.toMillis(10));
        assertThat(thread.isAlive()).isFalse();
    }

    @Test
    void sendsOverStartTls() throws Exception {
        server.offeringStartTls();
        var trusting = new EmailNotifier(new TestHostInfo(home), Clock.systemUTC(),
                SmtpStandIn.trustingClientSockets());

        DeliveryReceipt receipt = trusting.deliver(EVENT,
                Samples.context(Samples.settings(server.port(), "starttls"), "dev@example.test"));

        assertThat(receipt.statusCode()).isEqualTo(250);
        assertThat(server.received()).singleElement().satisfies(message -> assertThat(message.overTls()).isTrue());
    }

    @Test
    void sendsOverImplicitTls() throws Exception {
        server.implicitTls();
        var trusting = new EmailNotifier(new TestHostInfo(home), Clock.systemUTC(),
                SmtpStandIn.trustingClientSockets());

        trusting.deliver(EVENT, Samples.context(Samples.settings(server.port(), "tls"), "dev@example.test"));

        assertThat(server.received()).singleElement().satisfies(message -> assertThat(message.overTls()).isTrue());
    }

    @Test
    void refusesAServerCertificateTheJvmDoesNotTrust() {
        server.offeringStartTls();

        assertThatThrownBy(() -> notifier.deliver(EVENT,
                Samples.context(Samples.settings(server.port(), "starttls"), "dev@example.test")))
                .isInstanceOf(NotDeliverableException.class)
                .hasMessageStartingWith("The TLS connection to the mail server at 127.0.0.1:" + server.port()
                        + " failed: PKIX path building failed");
        assertThat(server.received()).isEmpty();
    }

    @Test
    void explainsImplicitTlsAgainstAServerThatStartsInPlainText() {
        assertThatThrownBy(() -> notifier.deliver(EVENT,
                Samples.context(Samples.settings(server.port(), "tls"), "dev@example.test")))
                .isInstanceOf(NotDeliverableException.class)
                .hasMessageContaining("failed: Unsupported or unrecognized SSL message.")
                .hasMessageEndingWith("With security tls the server must speak TLS from the start (usually port"
                        + " 465); port 587 wants starttls.");
        assertThat(server.received()).isEmpty();
    }

    @Test
    void greetsTheServerWithTheNameOfItsPublicUrl() throws Exception {
        var named = new EmailNotifier(new TestHostInfo(home, "notify-email", "0.1.0",
                URI.create("https://miaobu.example.test/"), "sites.example.test", 443), Clock.systemUTC());

        named.deliver(EVENT, Samples.context(plain(), "dev@example.test"));

        assertThat(server.received()).singleElement()
                .satisfies(message -> assertThat(message.ehloName()).isEqualTo("miaobu.example.test"));
    }

    @Test
    void sendsToTheAddressesItCanAndListsTheOnesThatAreNoAddresses() throws Exception {
        DeliveryReceipt receipt = notifier.deliver(EVENT,
                Samples.context(plain(), "dev@example.test", "not an address"));

        assertThat(receipt.refusedRecipients()).containsExactly("not an address");
        assertThat(receipt.detail()).isEqualTo("accepted for dev@example.test; not an email address: not an address");
        assertThat(server.received()).singleElement()
                .satisfies(message -> assertThat(message.recipients()).containsExactly("dev@example.test"));
        assertThatThrownBy(() -> notifier.deliver(EVENT, Samples.context(plain(), "nobody")))
                .isInstanceOf(NotDeliverableException.class)
                .hasMessage("Not an email address: nobody.");
    }

    @Test
    void usesTheSenderAddressAsTheEnvelopeSender() throws Exception {
        notifier.deliver(EVENT, Samples.context(plain(), "dev@example.test"));

        assertThat(server.received()).singleElement()
                .satisfies(message -> assertThat(message.mailFrom()).isEqualTo(Samples.FROM));
    }

    private ConfigValues plain() {
        return Samples.settings(server.port(), "none");
    }
}
