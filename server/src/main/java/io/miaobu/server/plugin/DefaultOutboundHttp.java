package io.miaobu.server.plugin;

import io.miaobu.api.host.OutboundHttp;
import java.net.http.HttpClient;
import java.time.Duration;

/** One shared HTTP client for extensions, with a connect timeout and normal redirects. */
public final class DefaultOutboundHttp implements OutboundHttp {

    private final HttpClient client = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build();

    @Override
    public HttpClient client() {
        return client;
    }
}
