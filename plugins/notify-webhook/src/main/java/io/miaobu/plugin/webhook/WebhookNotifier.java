package io.miaobu.plugin.webhook;

import io.miaobu.api.config.ConfigProblem;
import io.miaobu.api.config.ConfigSchema;
import io.miaobu.api.config.ConfigValues;
import io.miaobu.api.host.AddressNotAllowedException;
import io.miaobu.api.host.OutboundHttp;
import io.miaobu.api.host.OutboundRequest;
import io.miaobu.api.host.OutboundResponse;
import io.miaobu.api.notify.DeliveryFailedException;
import io.miaobu.api.notify.DeliveryReceipt;
import io.miaobu.api.notify.NotDeliverableException;
import io.miaobu.api.notify.NotificationContext;
import io.miaobu.api.notify.NotificationEvent;
import io.miaobu.api.notify.Notifier;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLException;
import org.pf4j.Extension;

/**
 * POSTs each notification to the URL of a channel: Miaobu's own signed JSON (schema 1) for receivers people write, or
 * a message for a Slack, DingTalk or Feishu incoming webhook. Every request goes through the host's
 * {@link OutboundHttp}, which decides which addresses may be called. docs/user/webhook-notifications.md is the
 * receivers' reference.
 */
@Extension
public final class WebhookNotifier implements Notifier {

    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    static final String USER_AGENT = "Miaobu-Webhook/1";
    static final int ANSWER_EXCERPT = 200;

    private final OutboundHttp http;
    private final Clock clock;
    private final Duration timeout;

    public WebhookNotifier(OutboundHttp http, Clock clock) {
        this(http, clock, REQUEST_TIMEOUT);
    }

    WebhookNotifier(OutboundHttp http, Clock clock, Duration timeout) {
        this.http = http;
        this.clock = clock;
        this.timeout = timeout;
    }

    @Override
    public String id() {
        return "webhook";
    }

    @Override
    public String displayName() {
        return "Webhook";
    }

    /** {@code url}, {@code format} ({@code miaobu}, {@code slack}, {@code dingtalk}, {@code feishu}), {@code secret}. */
    @Override
    public ConfigSchema channelSettings() {
        return WebhookSettings.SCHEMA;
    }

    @Override
    public boolean deliversToPeople() {
        return false;
    }

    /**
     * Checks a channel's settings beyond what the schema expresses (a URL the HTTP client can call, a known format).
     * The plugin API has no hook for channel settings yet ({@code validate} takes global and project settings), so
     * the host calls this by name; once {@link Notifier} gains such a method, this becomes its implementation.
     * {@link #deliver} checks the same and refuses settings that fail.
     */
    public List<ConfigProblem> validateChannel(ConfigValues channelSettings) {
        return WebhookSettings.problems(channelSettings);
    }

    /**
     * @throws NotDeliverableException when the settings are invalid, the host does not allow the address, or the
     *                                 receiver answered 410 Gone
     * @throws DeliveryFailedException on any other non-2xx answer (redirects included: they are not followed), on a
     *                                 chat service's refusal inside a 200, and on network errors and timeouts
     *                                 (status 0)
     */
    @Override
    public DeliveryReceipt deliver(NotificationEvent event, NotificationContext context) throws InterruptedException {
        WebhookSettings settings = WebhookSettings.from(context.channelSettings());
        OutboundRequest request = request(event, context.deliveryId(), settings, clock.instant());
        String host = settings.url().getHost();
        OutboundResponse response;
        try {
            response = http.send(request);
        } catch (AddressNotAllowedException e) {
            throw new NotDeliverableException(e.getMessage(), 0, e);
        } catch (HttpTimeoutException | SocketTimeoutException e) {
            throw new DeliveryFailedException("No answer from " + host + " within " + timeout.toSeconds() + " s", 0,
                    e);
        } catch (IOException e) {
            throw new DeliveryFailedException("Could not reach " + host + ": " + describe(e, settings.url()), 0, e);
        }
        return outcome(response, settings.format(), host);
    }

    private OutboundRequest request(NotificationEvent event, String deliveryId, WebhookSettings settings,
                                    Instant now) {
        String secret = settings.secret() == null ? null : settings.secret().reveal();
        var headers = new LinkedHashMap<String, String>();
        headers.put("Content-Type", "application/json");
        headers.put("User-Agent", USER_AGENT);
        headers.put("X-Miaobu-Event", event.kind().wireName());
        if (deliveryId != null) {
            headers.put("X-Miaobu-Delivery", deliveryId);
        }
        URI uri = settings.url();
        byte[] body = switch (settings.format()) {
            case MIAOBU -> MiaobuPayload.body(event, deliveryId);
            case SLACK -> SlackMessage.body(ChatMessage.of(event));
            case DINGTALK -> DingTalkRobot.body(ChatMessage.of(event));
            case FEISHU -> FeishuBot.body(ChatMessage.of(event), secret, now.getEpochSecond());
        };
        if (settings.format() == WebhookFormat.MIAOBU) {
            headers.put("X-Miaobu-Timestamp", Long.toString(now.getEpochSecond()));
            if (secret != null) {
                headers.put("X-Miaobu-Signature", WebhookSignature.sign(secret, now.getEpochSecond(), body));
            }
        }
        if (settings.format() == WebhookFormat.DINGTALK && secret != null) {
            uri = DingTalkRobot.signedUrl(uri, secret, now.toEpochMilli());
        }
        return new OutboundRequest("POST", uri, headers, body, timeout);
    }

    private static DeliveryReceipt outcome(OutboundResponse response, WebhookFormat format, String host) {
        int status = response.status();
        if (response.successful()) {
            Optional<String> refusal = switch (format) {
                case DINGTALK -> DingTalkRobot.refusal(response.body());
                case FEISHU -> FeishuBot.refusal(response.body());
                case MIAOBU, SLACK -> Optional.empty();
            };
            if (refusal.isPresent()) {
                throw new DeliveryFailedException(format.serviceName() + " refused the message: " + refusal.get(),
                        status);
            }
            return DeliveryReceipt.of(status, statusLine(status, response.reason()));
        }
        if (status >= 300 && status < 400) {
            throw new DeliveryFailedException("HTTP " + status + " from " + host + ": Miaobu does not follow"
                    + " redirects; set the channel's URL to the address the receiver redirects to", status);
        }
        if (status == 410) {
            throw new NotDeliverableException("HTTP 410 from " + host + ": the receiver says this webhook is gone"
                    + excerpt(response), status);
        }
        throw new DeliveryFailedException("HTTP " + status + " from " + host + excerpt(response), status);
    }

    /** {@code 200 OK}; HTTP/2 and the JDK's client give no reason phrase, so the common ones are filled in. */
    static String statusLine(int status, String reason) {
        if (!reason.isBlank()) {
            return status + " " + reason.strip();
        }
        String standard = switch (status) {
            case 200 -> "OK";
            case 201 -> "Created";
            case 202 -> "Accepted";
            case 204 -> "No Content";
            default -> "";
        };
        return standard.isEmpty() ? Integer.toString(status) : status + " " + standard;
    }

    /** {@code ": "} and the answer's first 200 characters on one line, or nothing when it had no body. */
    static String excerpt(OutboundResponse response) {
        String text = response.bodyText().replaceAll("[\\s\\p{Cntrl}]+", " ").strip();
        if (text.isEmpty()) {
            return "";
        }
        if (text.codePointCount(0, text.length()) > ANSWER_EXCERPT) {
            text = text.substring(0, text.offsetByCodePoints(0, ANSWER_EXCERPT)) + "…";
        }
        return ": " + text;
    }

    /** What went wrong, without the URL (its path or query may hold the receiver's token). */
    private static String describe(IOException e, URI url) {
        if (e instanceof ConnectException) {
            return "connection refused";
        }
        if (e instanceof UnknownHostException) {
            return "unknown host";
        }
        String message = e.getMessage() == null ? "" : e.getMessage().replace(url.toString(), url.getHost());
        if (e instanceof SSLException) {
            return "TLS failed" + (message.isEmpty() ? "" : " (" + message + ")");
        }
        return message.isEmpty() ? e.getClass().getSimpleName() : message;
    }
}
