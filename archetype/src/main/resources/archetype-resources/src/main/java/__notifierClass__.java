package ${package};

import io.miaobu.api.config.ConfigField;
import io.miaobu.api.config.ConfigFieldType;
import io.miaobu.api.config.ConfigSchema;
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
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import org.pf4j.Extension;

/**
 * Sends each notification as one line of plain text, POSTed to the URL of a channel: the event's summary and a link
 * to its page in Miaobu. Receivers that take a plain-text body (ntfy, a script of your own) show it as it is.
 *
 * <p>The host creates one instance and calls it from its dispatcher threads: keep no state in fields. Every request
 * goes through the host's {@link OutboundHttp}, which applies the admin's rules on which addresses may be called.
 */
@Extension
public final class ${notifierClass} implements Notifier {

    static final String URL = "url";
    static final String TOKEN = "token";

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final ConfigSchema CHANNEL_SETTINGS = ConfigSchema.of(
            new ConfigField(URL, "URL", "Where each notification is POSTed, as plain text. http or https.",
                    ConfigFieldType.URL, null, true, List.of()),
            ConfigField.secret(TOKEN, "Access token", "Sent as an Authorization: Bearer header when set."));

    private final OutboundHttp http;

    /** The host passes its outbound HTTP client; extensions may take only HostInfo, OutboundHttp and Clock. */
    public ${notifierClass}(OutboundHttp http) {
        this.http = http;
    }

    @Override
    public String id() {
        return "${extensionId}";
    }

    @Override
    public String displayName() {
        return "${displayName}";
    }

    /** What each channel of this notifier is set up with; the host renders the form and checks the types. */
    @Override
    public ConfigSchema channelSettings() {
        return CHANNEL_SETTINGS;
    }

    /**
     * POSTs the event's text to the channel's URL.
     *
     * @throws NotDeliverableException when retrying cannot help: the address is not allowed, or the receiver refuses
     *                                 the request (4xx other than 408 and 429)
     * @throws DeliveryFailedException when the receiver could not be reached or failed; the host retries later
     */
    @Override
    public DeliveryReceipt deliver(NotificationEvent event, NotificationContext context) throws InterruptedException {
        URI url = URI.create(context.channelSettings().get(URL)
                .orElseThrow(() -> new NotDeliverableException("The channel has no URL.")));
        var headers = new LinkedHashMap<String, String>();
        headers.put("Content-Type", "text/plain; charset=utf-8");
        headers.put("X-Miaobu-Event", event.kind().wireName());
        headers.put("X-Miaobu-Delivery", context.deliveryId());
        context.channelSettings().secret(TOKEN)
                .ifPresent(token -> headers.put("Authorization", "Bearer " + token.reveal()));
        byte[] body = text(event).getBytes(StandardCharsets.UTF_8);

        OutboundResponse response;
        try {
            response = http.send(new OutboundRequest("POST", url, headers, body, TIMEOUT));
        } catch (AddressNotAllowedException e) {
            throw new NotDeliverableException(e.getMessage(), 0, e);
        } catch (IOException e) {
            throw new DeliveryFailedException("Could not reach " + url.getHost() + ": " + e.getMessage(), 0, e);
        }
        int status = response.status();
        if (response.successful()) {
            return DeliveryReceipt.of(status, (status + " " + response.reason()).strip());
        }
        String failure = "HTTP " + status + " from " + url.getHost();
        if (status >= 400 && status < 500 && status != 408 && status != 429) {
            throw new NotDeliverableException(failure, status);
        }
        throw new DeliveryFailedException(failure, status);
    }

    /** The summary, and the page of the deployment or project the event concerns, when there is one. */
    static String text(NotificationEvent event) {
        URI page = event.deployment() != null ? event.deployment().page()
                : event.project() != null ? event.project().page() : null;
        return page == null ? event.summary() : event.summary() + " " + page;
    }
}
