package io.miaobu.plugin.email;

import io.miaobu.api.notify.DeliveryFailedException;
import io.miaobu.api.notify.DeliveryReceipt;
import io.miaobu.api.notify.NotDeliverableException;
import jakarta.mail.Address;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedByInterruptException;
import java.security.cert.CertificateException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.net.ssl.SSLException;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;

/**
 * Turns what went wrong talking to the SMTP server into the outcome the host acts on: a receipt when some recipients
 * got the message, {@link NotDeliverableException} when sending again cannot help (refused recipients, a 5xx reply,
 * credentials or TLS settings that do not fit the server), {@link DeliveryFailedException} when it can (no
 * connection, no answer in time, a 4xx reply), {@link InterruptedException} when the thread was interrupted.
 */
final class SmtpFailures {

    private static final Pattern REPLY_CODE = Pattern.compile("^([2-5]\\d\\d)(?:[ -]|$)");
    private static final int MAX_RESPONSE = 300;
    /** RFC 5321 4.5.3.1.10: a 552 answer to RCPT is to be treated as the temporary 452. */
    private static final int QUOTA_EXCEEDED = 552;

    private SmtpFailures() {
    }

    /**
     * The outcome of a failed send.
     *
     * @param lastCode     the server's last reply code, -1 when it never answered
     * @param lastResponse the server's last reply, or {@code null}
     * @return a receipt when the message was accepted for some recipients
     */
    static DeliveryReceipt outcome(MessagingException failure, SmtpSettings settings, int lastCode,
                                   String lastResponse) throws InterruptedException {
        if (interrupted(failure)) {
            Thread.interrupted();
            throw new InterruptedException("sending the email through " + settings.server() + " was interrupted");
        }
        String server = settings.server();
        if (failure instanceof AuthenticationFailedException && find(failure, IOException.class).isEmpty()) {
            String response = clean(failure.getMessage() != null ? failure.getMessage() : lastResponse);
            int code = replyCode(response).orElse(lastCode > 0 ? lastCode : 0);
            if (code >= 400 && code < 500) {
                throw new DeliveryFailedException("The mail server at " + server + " could not check the SMTP"
                        + " username and password just now (" + response + "); trying again later.", code, failure);
            }
            throw new NotDeliverableException("The mail server at " + server + " refused the SMTP username or"
                    + " password (" + response + "). Check them in the email settings.", code, failure);
        }
        if (failure instanceof SendFailedException sendFailed) {
            List<SMTPAddressFailedException> recipients = recipientFailures(sendFailed);
            if (!recipients.isEmpty()) {
                return recipientOutcome(sendFailed, recipients);
            }
        }
        if (failure instanceof SMTPSendFailedException refused && refused.getReturnCode() >= 400) {
            String command = refused.getCommand() == null ? "" : refused.getCommand().toUpperCase(Locale.ROOT);
            String what = command.startsWith("MAIL FROM")
                    ? "the sender address " + settings.from().getAddress() : "the message";
            throw byCode(refused.getReturnCode(), "The mail server at " + server + " refused " + what + ": "
                    + clean(refused.getMessage()), failure);
        }
        if (String.valueOf(failure.getMessage()).contains("STARTTLS is required")) {
            throw new NotDeliverableException("The mail server at " + server + " does not offer STARTTLS, which"
                    + " the security setting starttls requires. If it expects TLS from the start (usually port"
                    + " 465), choose tls; choose none only for a relay on a trusted network.", 0, failure);
        }
        Optional<Throwable> tls = find(failure, SSLException.class).or(() -> find(failure, CertificateException.class));
        if (tls.isPresent()) {
            String hint = settings.security() == SmtpSettings.Security.TLS
                    ? " With security tls the server must speak TLS from the start (usually port 465); port 587"
                    + " wants starttls."
                    : " Check that the server's certificate is valid for " + settings.host() + ".";
            throw new NotDeliverableException("The TLS connection to the mail server at " + server + " failed: "
                    + clean(tls.get().getMessage()) + "." + hint, 0, failure);
        }
        if (find(failure, SocketTimeoutException.class).isPresent()) {
            throw new DeliveryFailedException("The mail server at " + server + " did not answer within "
                    + settings.timeout().toSeconds() + " s; trying again later.", 0, failure);
        }
        if (find(failure, UnknownHostException.class).isPresent()) {
            throw new DeliveryFailedException("The mail server name " + settings.host() + " could not be"
                    + " resolved; trying again later.", 0, failure);
        }
        if (find(failure, ConnectException.class).isPresent() || find(failure, NoRouteToHostException.class)
                .isPresent()) {
            throw new DeliveryFailedException("Could not connect to the mail server at " + server + ": "
                    + clean(find(failure, IOException.class).map(Throwable::getMessage).orElse("refused"))
                    + "; trying again later.", 0, failure);
        }
        if (lastCode >= 400 && lastCode < 600) {
            throw byCode(lastCode, "The mail server at " + server + " answered " + clean(lastResponse), failure);
        }
        if (find(failure, IOException.class).isPresent()) {
            throw new DeliveryFailedException("The connection to the mail server at " + server + " failed: "
                    + clean(find(failure, IOException.class).get().getMessage()) + "; trying again later.", 0,
                    failure);
        }
        throw new DeliveryFailedException("Sending through the mail server at " + server + " failed: "
                + clean(failure.getMessage()), 0, failure);
    }

    /**
     * Some or all recipients were refused at RCPT TO. A temporary refusal (4xx) is retried, even if that sends the
     * others a second copy (they can tell by its Message-ID and X-Miaobu-Delivery): losing mail is worse.
     */
    private static DeliveryReceipt recipientOutcome(SendFailedException failure,
                                                    List<SMTPAddressFailedException> refusals) {
        List<SMTPAddressFailedException> deferred = refusals.stream().filter(SmtpFailures::temporary).toList();
        List<SMTPAddressFailedException> refused = refusals.stream().filter(r -> !temporary(r)).toList();
        List<String> accepted = addresses(failure.getValidSentAddresses());
        if (!deferred.isEmpty()) {
            String also = accepted.isEmpty() ? ""
                    : " It accepted " + String.join(", ", accepted) + ", who may get the message twice.";
            throw new DeliveryFailedException("The mail server deferred " + describe(deferred)
                    + "; trying again later." + also, deferred.get(0).getReturnCode(), failure);
        }
        if (accepted.isEmpty()) {
            throw new NotDeliverableException("The mail server refused " + describe(refused),
                    refused.get(0).getReturnCode(), failure);
        }
        int code = failure instanceof SMTPSendFailedException sent ? sent.getReturnCode() : 250;
        return new DeliveryReceipt(code, "accepted for " + String.join(", ", accepted) + "; refused "
                + describe(refused), refused.stream().map(r -> r.getAddress().getAddress()).toList());
    }

    private static boolean temporary(SMTPAddressFailedException refusal) {
        int code = refusal.getReturnCode();
        return code >= 400 && code < 500 || code == QUOTA_EXCEEDED;
    }

    /** "x@y: 550 5.1.1 no such user; z@w: 550 …" */
    private static String describe(List<SMTPAddressFailedException> refusals) {
        return refusals.stream()
                .map(r -> r.getAddress().getAddress() + ": " + clean(r.getMessage()))
                .collect(Collectors.joining("; "));
    }

    /** Angus chains one {@link SMTPAddressFailedException} per refused recipient behind the failure. */
    private static List<SMTPAddressFailedException> recipientFailures(MessagingException failure) {
        var found = new ArrayList<SMTPAddressFailedException>();
        Exception next = failure;
        while (next != null) {
            if (next instanceof SMTPAddressFailedException recipient) {
                found.add(recipient);
            }
            next = next instanceof MessagingException messaging ? messaging.getNextException() : null;
        }
        return found;
    }

    private static DeliveryFailedException byCode(int code, String message, Exception cause) {
        return code >= 500
                ? new NotDeliverableException(message, code, cause)
                : new DeliveryFailedException(message + "; trying again later.", code, cause);
    }

    private static boolean interrupted(Throwable failure) {
        return Thread.currentThread().isInterrupted()
                || find(failure, ClosedByInterruptException.class).isPresent()
                || find(failure, InterruptedIOException.class).filter(e -> !(e instanceof SocketTimeoutException))
                .isPresent();
    }

    /** The first of {@code type} among the failure, its causes and the exceptions Jakarta Mail chains to it. */
    private static Optional<Throwable> find(Throwable failure, Class<? extends Throwable> type) {
        var seen = new ArrayList<Throwable>();
        Throwable current = failure;
        while (current != null && !seen.contains(current)) {
            if (type.isInstance(current)) {
                return Optional.of(current);
            }
            seen.add(current);
            Throwable next = current.getCause();
            if (next == null && current instanceof MessagingException messaging) {
                next = messaging.getNextException();
            }
            current = next;
        }
        return Optional.empty();
    }

    private static List<String> addresses(Address[] addresses) {
        if (addresses == null) {
            return List.of();
        }
        var list = new ArrayList<String>();
        for (Address address : addresses) {
            list.add(address instanceof jakarta.mail.internet.InternetAddress internet
                    ? internet.getAddress() : address.toString());
        }
        return list;
    }

    private static Optional<Integer> replyCode(String response) {
        Matcher matcher = REPLY_CODE.matcher(response == null ? "" : response);
        return matcher.find() ? Optional.of(Integer.parseInt(matcher.group(1))) : Optional.empty();
    }

    /** A server's answer as one line of bounded length, for the delivery log. */
    static String clean(String response) {
        if (response == null || response.isBlank()) {
            return "no answer";
        }
        String line = MessageRenderer.oneLine(response).replaceAll("\\s+", " ");
        return line.length() <= MAX_RESPONSE ? line : line.substring(0, MAX_RESPONSE) + "…";
    }
}
