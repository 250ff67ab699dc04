package io.miaobu.plugin.email;

import io.miaobu.api.config.ConfigProblem;
import io.miaobu.api.config.ConfigSchema;
import io.miaobu.api.config.ConfigValues;
import io.miaobu.api.host.HostInfo;
import io.miaobu.api.notify.DeliveryReceipt;
import io.miaobu.api.notify.NotDeliverableException;
import io.miaobu.api.notify.NotificationContext;
import io.miaobu.api.notify.NotificationEvent;
import io.miaobu.api.notify.Notifier;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import java.net.IDN;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import javax.net.ssl.SSLSocketFactory;
import org.pf4j.Extension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends notifications as email through the SMTP server an admin set up. The host fans each notification out to one
 * delivery per subscribed person, so a call usually has one recipient; several are sent as one message whose To
 * header names none of them.
 *
 * <p>Each message is multipart/alternative with a plain-text and an HTML body, and carries {@code X-Miaobu-Event}
 * (the event's kind), {@code X-Miaobu-Delivery} (the host's delivery id) and a Message-ID made from the delivery id
 * and the event's time: a retry of a message that did arrive has the same ones, so mail programs and filters can drop
 * the copy.
 */
@Extension
public final class EmailNotifier implements Notifier {

    private static final Logger LOG = LoggerFactory.getLogger(EmailNotifier.class);
    // what may go into a Message-ID as it is: anything else is hashed
    private static final Pattern PLAIN_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private final Clock clock;
    private final MessageRenderer renderer;
    private final SmtpMailer mailer;

    public EmailNotifier(HostInfo host, Clock clock) {
        this(host, clock, null);
    }

    /** With the TLS connections made by {@code tlsSockets} (tests trust their own certificate this way). */
    EmailNotifier(HostInfo host, Clock clock, SSLSocketFactory tlsSockets) {
        this.clock = clock;
        this.renderer = new MessageRenderer(host);
        this.mailer = new SmtpMailer(ehloName(host), tlsSockets);
    }

    @Override
    public String id() {
        return "email";
    }

    @Override
    public String displayName() {
        return "Email";
    }

    @Override
    public boolean deliversToPeople() {
        return true;
    }

    @Override
    public ConfigSchema globalSettings() {
        return SmtpSettings.SCHEMA;
    }

    @Override
    public List<ConfigProblem> validate(ConfigValues global, ConfigValues project) {
        return SmtpSettings.problems(global);
    }

    @Override
    public DeliveryReceipt deliver(NotificationEvent event, NotificationContext context) throws InterruptedException {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        // Jakarta Mail and Activation look for their SMTP provider, encoders and MIME type handlers through the context
        // class loader first. On a host thread that is the server's, and a copy of them there (another version, or
        // the same classes from another loader) would not fit this plugin's: use the plugin's own.
        thread.setContextClassLoader(EmailNotifier.class.getClassLoader());
        try {
            return send(event, context);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    private DeliveryReceipt send(NotificationEvent event, NotificationContext context) throws InterruptedException {
        SmtpSettings settings;
        try {
            settings = SmtpSettings.from(context.globalSettings());
        } catch (IllegalArgumentException e) {
            throw new NotDeliverableException("The email settings are not valid (" + e.getMessage() + "). An admin"
                    + " can correct them on the plugins page.");
        }
        var recipients = new ArrayList<InternetAddress>();
        var malformed = new ArrayList<String>();
        for (String address : context.recipients()) {
            if (SmtpSettings.addressProblem(address).isEmpty()) {
                recipients.add(parse(address));
            } else {
                malformed.add(address);
            }
        }
        if (recipients.isEmpty()) {
            throw new NotDeliverableException(malformed.isEmpty() ? "The notification has no recipient."
                    : "Not an email address: " + String.join(", ", malformed) + ".");
        }
        var outgoing = new SmtpMailer.Outgoing(recipients, renderer.render(event),
                messageId(context.deliveryId(), event.at(), settings.from()), headers(event, context), clock.instant());
        DeliveryReceipt receipt = mailer.send(settings, outgoing);
        LOG.debug("Email for delivery {} ({}) handed to {}: {}", context.deliveryId(), event.kind(),
                settings.server(), receipt.statusCode());
        if (malformed.isEmpty()) {
            return receipt;
        }
        var refused = new ArrayList<>(receipt.refusedRecipients());
        refused.addAll(malformed);
        return new DeliveryReceipt(receipt.statusCode(), receipt.detail() + "; not an email address: "
                + String.join(", ", malformed), refused);
    }

    private static Map<String, String> headers(NotificationEvent event, NotificationContext context) {
        var headers = new LinkedHashMap<String, String>();
        headers.put(SmtpMailer.EVENT_HEADER, event.kind().wireName());
        if (context.deliveryId() != null && !context.deliveryId().isBlank()) {
            headers.put(SmtpMailer.DELIVERY_HEADER, context.deliveryId());
        }
        // RFC 3834: no vacation or out-of-office replies to a robot; the second is what Exchange looks at
        headers.put("Auto-Submitted", "auto-generated");
        headers.put("X-Auto-Response-Suppress", "All");
        return headers;
    }

    /**
     * {@code <miaobu.<delivery id>.<event time in ms>@<sender's domain>>}: the same on every retry of a delivery,
     * different for every delivery (the host gives each recipient a delivery of their own). The event's time keeps
     * a delivery id that a reinstalled Miaobu hands out again from producing a Message-ID mail services have already
     * seen: some drop such a message as a duplicate.
     */
    static String messageId(String deliveryId, Instant eventTime, InternetAddress from) {
        String local;
        if (deliveryId == null || deliveryId.isBlank()) {
            local = UUID.randomUUID().toString();
        } else if (PLAIN_ID.matcher(deliveryId).matches()) {
            local = deliveryId;
        } else {
            local = sha256(deliveryId);
        }
        if (eventTime != null) {
            local += "." + eventTime.toEpochMilli();
        }
        String address = from.getAddress();
        String domain = address.substring(address.lastIndexOf('@') + 1);
        try {
            domain = IDN.toASCII(domain);
        } catch (IllegalArgumentException e) {
            domain = "miaobu.invalid";
        }
        return "<miaobu." + local + "@" + domain + ">";
    }

    /** The host name of Miaobu's public URL when it is a full DNS name; mail servers often refuse a bare name. */
    static String ehloName(HostInfo host) {
        String name = host.publicUrl().getHost();
        boolean dnsName = name != null && name.indexOf('.') > 0 && !name.matches("[0-9.]+") && !name.contains(":")
                && name.matches("[A-Za-z0-9.-]+");
        return dnsName ? name : null;
    }

    private static InternetAddress parse(String address) {
        try {
            return new InternetAddress(address.strip(), true);
        } catch (AddressException e) {
            throw new IllegalStateException("an address that passed the check did not parse: " + address, e);
        }
    }

    private static String sha256(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
