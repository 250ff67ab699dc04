package io.miaobu.plugin.email;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.store.FolderException;
import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.miaobu.api.Secret;
import io.miaobu.api.config.ConfigValues;
import io.miaobu.api.notify.DeliveryReceipt;
import io.miaobu.api.notify.NotDeliverableException;
import io.miaobu.api.notify.NotificationContext;
import io.miaobu.api.notify.NotificationEvent;
import io.miaobu.api.testkit.TestHostInfo;
import jakarta.mail.BodyPart;
import jakarta.mail.Message;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Sends through GreenMail, a real SMTP server, and reads what arrived. */
class EmailNotifierTest {

    @RegisterExtension
    static final GreenMailExtension GREEN_MAIL = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort())
            .withConfiguration(GreenMailConfiguration.aConfig().withUser("robot@example.test", "robot", "s3cret"))
            .withPerMethodLifecycle(true);

    @TempDir
    Path home;

    private EmailNotifier notifier;
    private ConfigValues settings;

    @BeforeEach
    void setUp() {
        notifier = new EmailNotifier(new TestHostInfo(home), Clock.fixed(Samples.AT, ZoneOffset.UTC));
        settings = Samples.settings(GREEN_MAIL.getSmtp().getPort(), "none");
    }

    @Test
    void sendsPlainTextAndHtmlWithTheDeploymentLinkAndEscapedValues() throws Exception {
        var event = Samples.failed("喵部 文档站", "<script>alert('x')</script>", "npm ERR! <b>missing</b> & 依赖缺失");

        DeliveryReceipt receipt = notifier.deliver(event, Samples.context(settings, "dev@example.test"));

        assertThat(receipt).isEqualTo(new DeliveryReceipt(250, "accepted for dev@example.test", List.of()));
        MimeMessage message = onlyMessage();
        assertThat(message.getSubject()).isEqualTo("[Miaobu] 喵部 文档站: deployment #42 failed");
        assertThat((InternetAddress) message.getFrom()[0]).satisfies(from -> {
            assertThat(from.getAddress()).isEqualTo(Samples.FROM);
            assertThat(from.getPersonal()).isEqualTo("Miaobu");
        });
        assertThat(message.getRecipients(Message.RecipientType.TO))
                .containsExactly(new InternetAddress("dev@example.test"));
        assertThat(message.getContentType()).startsWith("multipart/alternative");

        MimeMultipart parts = (MimeMultipart) message.getContent();
        assertThat(parts.getCount()).isEqualTo(2);
        BodyPart text = parts.getBodyPart(0);
        BodyPart html = parts.getBodyPart(1);
        assertThat(text.getContentType()).startsWith("text/plain").containsIgnoringCase("charset=UTF-8");
        assertThat(html.getContentType()).startsWith("text/html").containsIgnoringCase("charset=UTF-8");

        String plain = (String) text.getContent();
        assertThat(plain)
                .contains("Deployment #42 of 喵部 文档站 failed.")
                .contains("Reason: npm ERR! <b>missing</b> & 依赖缺失")
                .contains("Branch:     <script>alert('x')</script>")
                .contains("Commit:     0123456")
                .contains("Deployment page: " + Samples.DEPLOYMENT_PAGE);
        String markup = (String) html.getContent();
        assertThat(markup)
                .contains("<a href=\"" + Samples.DEPLOYMENT_PAGE + "\"")
                .contains("喵部 文档站")
                .contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;")
                .contains("npm ERR! &lt;b&gt;missing&lt;/b&gt; &amp; 依赖缺失")
                .doesNotContain("<script")
                .doesNotContain("<b>missing");

        assertThat(message.getHeader("X-Miaobu-Event")).containsExactly("deployment.failed");
        assertThat(message.getHeader("X-Miaobu-Delivery")).containsExactly("delivery-1");
        assertThat(message.getHeader("Auto-Submitted")).containsExactly("auto-generated");
        assertThat(message.getMessageID())
                .isEqualTo("<miaobu.delivery-1." + Samples.AT.toEpochMilli() + "@example.test>");
        assertThat(message.getSentDate().toInstant()).isEqualTo(Samples.AT);
    }

    @Test
    void linksToTheSiteOnceItIsLive() throws Exception {
        var event = new NotificationEvent.DeploymentSucceeded(Samples.AT, Samples.project("My site"),
                Samples.deployment("main"));

        notifier.deliver(event, Samples.context(settings, "dev@example.test"));

        MimeMultipart parts = (MimeMultipart) onlyMessage().getContent();
        assertThat((String) parts.getBodyPart(0).getContent()).contains("Site:            " + Samples.SITE);
        assertThat((String) parts.getBodyPart(1).getContent()).contains("<a href=\"" + Samples.SITE + "\"");
    }

    @Test
    void sendsOneMessageToSeveralRecipientsWithoutShowingThemEachOther() throws Exception {
        var event = Samples.failed("My site", "main", "exit code 1");

        DeliveryReceipt receipt = notifier.deliver(event,
                Samples.context(settings, "ann@example.test", "bob@example.test"));

        assertThat(receipt.detail()).isEqualTo("accepted for ann@example.test, bob@example.test");
        assertThat(receipt.refusedRecipients()).isEmpty();
        MimeMessage[] received = GREEN_MAIL.getReceivedMessages();
        assertThat(received).hasSize(2);   // GreenMail keeps one copy per mailbox
        assertThat(inboxSize("ann@example.test")).isEqualTo(1);
        assertThat(inboxSize("bob@example.test")).isEqualTo(1);
        assertThat(received[0].getHeader("To")).containsExactly("undisclosed-recipients:;");
    }

    @Test
    void keepsTheMessageIdAcrossRetriesOfOneDeliveryOnly() throws Exception {
        var event = Samples.failed("My site", "main", "exit code 1");

        notifier.deliver(event, new NotificationContext(settings, ConfigValues.EMPTY, List.of("dev@example.test"),
                "d-7", 1));
        notifier.deliver(event, new NotificationContext(settings, ConfigValues.EMPTY, List.of("dev@example.test"),
                "d-7", 2));
        notifier.deliver(event, new NotificationContext(settings, ConfigValues.EMPTY, List.of("dev@example.test"),
                "d-8", 1));

        MimeMessage[] received = GREEN_MAIL.getReceivedMessages();
        assertThat(received).hasSize(3);
        assertThat(received[0].getMessageID()).isEqualTo(received[1].getMessageID());
        assertThat(received[2].getMessageID()).isNotEqualTo(received[0].getMessageID());
        assertThat(received[2].getHeader("X-Miaobu-Delivery")).containsExactly("d-8");
    }

    @Test
    void makesAValidMessageIdFromAnyDeliveryId() throws Exception {
        var from = new InternetAddress("miaobu@例え.test");

        assertThat(EmailNotifier.messageId("42", Samples.AT, from))
                .isEqualTo("<miaobu.42." + Samples.AT.toEpochMilli() + "@xn--r8jz45g.test>");
        assertThat(EmailNotifier.messageId("<a b>@c..d", Samples.AT, from))
                .matches("<miaobu\\.[0-9a-f]{32}\\.\\d+@xn--r8jz45g\\.test>");
        assertThat(EmailNotifier.messageId(null, Samples.AT, from))
                .isNotEqualTo(EmailNotifier.messageId(null, Samples.AT, from));
    }

    @Test
    void tellsTheTestEventsRecipientThatTheSettingsWork() throws Exception {
        notifier.deliver(new NotificationEvent.Test(Samples.AT, "alice"), Samples.context(settings, "a@example.test"));

        MimeMessage message = onlyMessage();
        assertThat(message.getSubject()).isEqualTo("[Miaobu] Test notification from Miaobu");
        assertThat(message.getHeader("X-Miaobu-Event")).containsExactly("test");
        MimeMultipart parts = (MimeMultipart) message.getContent();
        assertThat((String) parts.getBodyPart(0).getContent()).contains("sent by alice. Your email settings work");
    }

    @Test
    void signsInWithTheSmtpUser() throws Exception {
        DeliveryReceipt receipt = notifier.deliver(Samples.failed("My site", "main", "exit code 1"),
                Samples.context(withCredentials("robot", "s3cret"), "dev@example.test"));

        assertThat(receipt.statusCode()).isEqualTo(250);
        assertThat(GREEN_MAIL.getReceivedMessages()).hasSize(1);
    }

    @Test
    void reportsARefusedPasswordAsNotDeliverable() {
        assertThatThrownBy(() -> notifier.deliver(Samples.failed("My site", "main", "exit code 1"),
                Samples.context(withCredentials("robot", "wrong"), "dev@example.test")))
                .isInstanceOfSatisfying(NotDeliverableException.class, e -> {
                    assertThat(e.getMessage()).contains("refused the SMTP username or password")
                            .doesNotContain("wrong");
                    assertThat(e.statusCode()).isEqualTo(535);
                });
        assertThat(GREEN_MAIL.getReceivedMessages()).isEmpty();
    }

    @Test
    void refusesToSendInTheClearWhenStartTlsIsRequiredButNotOffered() {
        ConfigValues startTls = Samples.settings(GREEN_MAIL.getSmtp().getPort(), "starttls");

        assertThatThrownBy(() -> notifier.deliver(Samples.failed("My site", "main", "exit code 1"),
                Samples.context(startTls, "dev@example.test")))
                .isInstanceOf(NotDeliverableException.class)
                .hasMessageContaining("does not offer STARTTLS");
        assertThat(GREEN_MAIL.getReceivedMessages()).isEmpty();
    }

    private ConfigValues withCredentials(String username, String password) {
        var plain = new HashMap<>(settings.plainValues());
        plain.put("username", username);
        return ConfigValues.of(plain, Map.of("password", Secret.of(password)));
    }

    private static int inboxSize(String address) throws FolderException {
        GreenMailUser user = GREEN_MAIL.getUserManager().getUserByEmail(address);
        assertThat(user).as("a mailbox for " + address).isNotNull();
        return GREEN_MAIL.getManagers().getImapHostManager().getInbox(user).getMessageCount();
    }

    private static MimeMessage onlyMessage() {
        MimeMessage[] received = GREEN_MAIL.getReceivedMessages();
        assertThat(received).hasSize(1);
        return received[0];
    }
}
