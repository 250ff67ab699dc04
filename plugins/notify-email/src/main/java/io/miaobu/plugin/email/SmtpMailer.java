package io.miaobu.plugin.email;

import io.miaobu.api.notify.DeliveryReceipt;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.internet.MimeUtility;
import java.io.UnsupportedEncodingException;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import javax.net.ssl.SSLSocketFactory;
import org.eclipse.angus.mail.smtp.SMTPTransport;

/**
 * Hands one message to the SMTP server with Angus Mail: one connection per message, no state kept between calls.
 *
 * <p>Nothing can hang: the connect and read timeouts come from the settings, and the connection uses socket channels,
 * whose blocking reads and writes end at once when the calling thread is interrupted (plain sockets ignore
 * interrupts). Writes need no timeout of their own: a notification is a few kilobytes, which the socket's buffer takes
 * whole.
 */
final class SmtpMailer {

    /** Headers every notification carries besides the standard ones. */
    static final String EVENT_HEADER = "X-Miaobu-Event";
    static final String DELIVERY_HEADER = "X-Miaobu-Delivery";

    private final String ehloName;
    private final SSLSocketFactory tlsSockets;

    /**
     * @param ehloName   the name to greet the server with, or {@code null} for this machine's host name
     * @param tlsSockets makes the TLS connections, or {@code null} for the JVM's default (its trusted CAs)
     */
    SmtpMailer(String ehloName, SSLSocketFactory tlsSockets) {
        this.ehloName = ehloName;
        this.tlsSockets = tlsSockets;
    }

    /**
     * What to send.
     *
     * @param recipients the envelope recipients; the To header names them when there is one, and nobody when there
     *                   are more, so that subscribers do not learn each other's addresses
     * @param headers    extra headers; values are made one line and encoded here
     */
    record Outgoing(List<InternetAddress> recipients, MessageRenderer.RenderedMessage content, String messageId,
                    Map<String, String> headers, Instant date) {
    }

    /**
     * Sends it. The caller has made the plugin's class loader the thread's context class loader: Jakarta Mail looks
     * up its SMTP provider, encoders and MIME handlers through it.
     *
     * @return the server's acceptance, listing the recipients it refused when it accepted the others
     * @throws io.miaobu.api.notify.DeliveryFailedException as described in {@link SmtpFailures}
     * @throws InterruptedException                         when the calling thread was interrupted
     */
    DeliveryReceipt send(SmtpSettings settings, Outgoing outgoing) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException("not sending the email: interrupted");
        }
        try {
            Session session = Session.getInstance(properties(settings));
            MimeMessage message = message(session, settings, outgoing);
            SMTPTransport transport = (SMTPTransport) session.getTransport("smtp");
            try {
                transport.connect(settings.host(), settings.port(), settings.username(),
                        settings.username() == null ? null
                                : settings.password() == null ? "" : settings.password().reveal());
                transport.sendMessage(message, outgoing.recipients().toArray(new InternetAddress[0]));
                return new DeliveryReceipt(transport.getLastReturnCode(),
                        "accepted for " + outgoing.recipients().stream().map(InternetAddress::getAddress)
                                .collect(Collectors.joining(", ")),
                        List.of());
            } catch (MessagingException e) {
                return SmtpFailures.outcome(e, settings, transport.getLastReturnCode(),
                        transport.getLastServerResponse());
            } finally {
                try {
                    transport.close();
                } catch (MessagingException | RuntimeException e) {
                    // the message was handed over or the failure is being reported: a failed QUIT changes neither
                }
            }
        } catch (MessagingException | UnsupportedEncodingException e) {
            throw new IllegalStateException("the email could not be put together", e);
        }
    }

    private Properties properties(SmtpSettings settings) {
        var properties = new Properties();
        String timeout = Long.toString(settings.timeout().toMillis());
        properties.setProperty("mail.smtp.host", settings.host());
        properties.setProperty("mail.smtp.port", Integer.toString(settings.port()));
        properties.setProperty("mail.smtp.connectiontimeout", timeout);
        properties.setProperty("mail.smtp.timeout", timeout);
        properties.setProperty("mail.smtp.usesocketchannels", "true");
        properties.setProperty("mail.smtp.quitwait", "false");
        properties.setProperty("mail.smtp.sendpartial", "true");
        properties.setProperty("mail.smtp.from", settings.from().getAddress());
        properties.setProperty("mail.smtp.auth", Boolean.toString(settings.username() != null));
        boolean startTls = settings.security() == SmtpSettings.Security.STARTTLS;
        properties.setProperty("mail.smtp.starttls.enable", Boolean.toString(startTls));
        properties.setProperty("mail.smtp.starttls.required", Boolean.toString(startTls));
        properties.setProperty("mail.smtp.ssl.enable",
                Boolean.toString(settings.security() == SmtpSettings.Security.TLS));
        properties.setProperty("mail.smtp.ssl.checkserveridentity", "true");
        if (ehloName != null) {
            properties.setProperty("mail.smtp.localhost", ehloName);
        }
        if (tlsSockets != null) {
            properties.put("mail.smtp.ssl.socketFactory", tlsSockets);
        }
        return properties;
    }

    private static MimeMessage message(Session session, SmtpSettings settings, Outgoing outgoing)
            throws MessagingException, UnsupportedEncodingException {
        var message = new IdentifiedMessage(session, outgoing.messageId());
        message.setFrom(settings.from());
        if (outgoing.recipients().size() == 1) {
            message.setRecipient(Message.RecipientType.TO, outgoing.recipients().get(0));
        } else {
            message.setRecipients(Message.RecipientType.TO, "undisclosed-recipients:;");
        }
        message.setSubject(outgoing.content().subject(), "UTF-8");
        message.setSentDate(Date.from(outgoing.date()));
        for (Map.Entry<String, String> header : outgoing.headers().entrySet()) {
            String value = MimeUtility.encodeText(MessageRenderer.oneLine(header.getValue()), "UTF-8", null);
            message.setHeader(header.getKey(), MimeUtility.fold(header.getKey().length() + 2, value));
        }
        var text = new MimeBodyPart();
        text.setText(outgoing.content().text(), "UTF-8", "plain");
        var html = new MimeBodyPart();
        html.setText(outgoing.content().html(), "UTF-8", "html");
        // the last part is the one mail programs prefer when they can show it
        var alternative = new MimeMultipart("alternative");
        alternative.addBodyPart(text);
        alternative.addBodyPart(html);
        message.setContent(alternative);
        message.saveChanges();
        return message;
    }

    /** Keeps the Message-ID it was given: Jakarta Mail would make up a new one whenever the message is saved. */
    private static final class IdentifiedMessage extends MimeMessage {

        private final String messageId;

        IdentifiedMessage(Session session, String messageId) {
            super(session);
            this.messageId = messageId;
        }

        @Override
        protected void updateMessageID() throws MessagingException {
            setHeader("Message-ID", messageId);
        }
    }
}
