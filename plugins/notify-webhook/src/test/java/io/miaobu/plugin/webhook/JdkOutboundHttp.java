package io.miaobu.plugin.webhook;

import io.miaobu.api.host.AddressNotAllowedException;
import io.miaobu.api.host.OutboundHttp;
import io.miaobu.api.host.OutboundRequest;
import io.miaobu.api.host.OutboundResponse;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A plain {@link OutboundHttp} on the JDK's client, standing in for the host's guarded one: no redirects followed,
 * the request's timeout applied, the body cut at {@link OutboundResponse#BODY_LIMIT}. {@link #guarded()} also refuses
 * loopback and private addresses after DNS, as the host does by default.
 */
final class JdkOutboundHttp implements OutboundHttp {

    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final boolean guarded;
    private final List<OutboundRequest> sent = new CopyOnWriteArrayList<>();

    private JdkOutboundHttp(boolean guarded) {
        this.guarded = guarded;
    }

    /** Calls any address, loopback included: for tests against a receiver on 127.0.0.1. */
    static JdkOutboundHttp open() {
        return new JdkOutboundHttp(false);
    }

    /** Refuses internal addresses, like the host's default rules. */
    static JdkOutboundHttp guarded() {
        return new JdkOutboundHttp(true);
    }

    List<OutboundRequest> sent() {
        return sent;
    }

    @Override
    public OutboundResponse send(OutboundRequest request) throws IOException, InterruptedException {
        sent.add(request);
        String host = request.uri().getHost();
        if (guarded) {
            for (InetAddress address : InetAddress.getAllByName(host)) {
                if (address.isLoopbackAddress() || address.isSiteLocalAddress() || address.isLinkLocalAddress()
                        || address.isAnyLocalAddress()) {
                    throw new AddressNotAllowedException("Calling " + host + " (" + address.getHostAddress()
                            + ") is not allowed: it is an internal address.");
                }
            }
        }
        HttpRequest.Builder builder = HttpRequest.newBuilder(request.uri())
                .timeout(request.timeout())
                .method(request.method(), HttpRequest.BodyPublishers.ofByteArray(request.body()));
        request.headers().forEach(builder::header);
        HttpResponse<InputStream> response = client.send(builder.build(), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = response.body()) {
            return new OutboundResponse(response.statusCode(), "", body.readNBytes(OutboundResponse.BODY_LIMIT));
        }
    }
}
