package io.miaobu.server.outbound;

import io.miaobu.api.host.AddressNotAllowedException;
import io.miaobu.api.host.OutboundHttp;
import io.miaobu.api.host.OutboundRequest;
import io.miaobu.api.host.OutboundResponse;
import io.miaobu.server.boot.Managed;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.InputStreamResponseListener;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.util.Promise;
import org.eclipse.jetty.util.SocketAddressResolver;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;

/**
 * The host's {@link OutboundHttp}: a Jetty {@link HttpClient} whose name resolution passes every address through the
 * {@link OutboundAddressPolicy}, so the address checked is exactly the address connected to (no gap for DNS rebinding
 * between a check and the connection), on every connection. Redirects are not followed.
 */
public final class GuardedOutboundHttp implements OutboundHttp, Managed {

    private final OutboundAddressPolicy policy;
    /** Made on the first request: most servers send none for a while, and start-up need not load the client. */
    private HttpClient client;
    private boolean stopped;

    public GuardedOutboundHttp(OutboundAddressPolicy policy) {
        this.policy = policy;
    }

    private synchronized HttpClient client() throws IOException {
        if (stopped) {
            throw new IOException("The server is stopping.");
        }
        if (client != null) {
            return client;
        }
        var created = new HttpClient();
        var threads = new QueuedThreadPool(16, 2);
        threads.setName("outbound-http");
        threads.setDaemon(true);
        created.setExecutor(threads);
        var scheduler = new ScheduledExecutorScheduler("outbound-http-scheduler", true);
        created.setScheduler(scheduler);
        created.setSocketAddressResolver(new GuardingResolver(
                new SocketAddressResolver.Async(threads, scheduler, 10_000), policy));
        created.setFollowRedirects(false);
        created.setConnectTimeout(10_000);
        created.setUserAgentField(null);
        try {
            created.start();
        } catch (Exception e) {
            throw new IOException("The outbound HTTP client could not start: " + e.getMessage(), e);
        }
        this.client = created;
        return created;
    }

    /** Nothing to do: the client is made on the first request. */
    @Override
    public void start() {
    }

    @Override
    public OutboundResponse send(OutboundRequest outbound) throws IOException, InterruptedException {
        String scheme = outbound.uri().getScheme() == null ? "" : outbound.uri().getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || outbound.uri().getHost() == null) {
            throw new IOException("Only absolute http and https URLs can be called, not '" + outbound.uri() + "'.");
        }
        Request request = client().newRequest(outbound.uri())
                .method(outbound.method())
                .timeout(outbound.timeout().toMillis(), TimeUnit.MILLISECONDS)
                .followRedirects(false);
        request.headers(headers -> {
            headers.remove(HttpHeader.USER_AGENT);
            for (Map.Entry<String, String> header : outbound.headers().entrySet()) {
                headers.put(header.getKey(), header.getValue());
            }
        });
        byte[] body = outbound.body();
        if (body.length > 0) {
            String type = outbound.headers().entrySet().stream()
                    .filter(header -> header.getKey().equalsIgnoreCase("Content-Type"))
                    .map(Map.Entry::getValue).findFirst().orElse("application/octet-stream");
            request.body(new BytesRequestContent(type, body));
        }
        var listener = new InputStreamResponseListener();
        request.send(listener);
        try {
            Response response = listener.get(outbound.timeout().toMillis(), TimeUnit.MILLISECONDS);
            byte[] content;
            try (InputStream in = listener.getInputStream()) {
                content = readAtMost(in, OutboundResponse.BODY_LIMIT);
            }
            return new OutboundResponse(response.getStatus(), response.getReason(), content);
        } catch (InterruptedException e) {
            request.abort(e);
            throw e;
        } catch (TimeoutException e) {
            request.abort(e);
            throw new IOException("No answer from " + outbound.uri().getHost() + " within "
                    + outbound.timeout().toMillis() / 1000.0 + " s.", e);
        } catch (ExecutionException e) {
            throw failure(outbound, e.getCause());
        } catch (IOException e) {
            throw failure(outbound, e);
        }
    }

    private static IOException failure(OutboundRequest outbound, Throwable cause) throws AddressNotAllowedException {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof AddressNotAllowedException refused) {
                throw refused;
            }
            if (t instanceof TimeoutException) {
                // Jetty's own request timeout, which usually fires just before ours
                return new IOException("No answer from " + outbound.uri().getHost() + " within "
                        + outbound.timeout().toMillis() / 1000.0 + " s.", cause);
            }
        }
        String message = cause == null ? "unknown error" : cause.getMessage() == null ? cause.getClass().getSimpleName()
                : cause.getMessage();
        return new IOException("Calling " + outbound.uri().getHost() + " failed: " + message, cause);
    }

    private static byte[] readAtMost(InputStream in, int limit) throws IOException {
        var out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        int read;
        while (out.size() < limit && (read = in.read(buffer, 0, Math.min(buffer.length, limit - out.size()))) != -1) {
            out.write(buffer, 0, read);
        }
        return out.toByteArray();
    }

    @Override
    public synchronized void stop() throws Exception {
        stopped = true;
        if (client != null) {
            client.stop();
        }
    }

    /** Resolves with the real resolver, then keeps only the addresses the policy allows. */
    private record GuardingResolver(SocketAddressResolver delegate, OutboundAddressPolicy policy)
            implements SocketAddressResolver {

        @Override
        public void resolve(String host, int port, Map<String, Object> context,
                            Promise<List<InetSocketAddress>> promise) {
            delegate.resolve(host, port, context, new Promise<>() {
                @Override
                public void succeeded(List<InetSocketAddress> addresses) {
                    var allowed = new ArrayList<InetSocketAddress>();
                    String firstRefusal = null;
                    for (InetSocketAddress address : addresses) {
                        var refusal = policy.refusal(address.getAddress());
                        if (refusal.isEmpty()) {
                            allowed.add(address);
                        } else if (firstRefusal == null) {
                            firstRefusal = address.getAddress().getHostAddress() + ", " + refusal.get();
                        }
                    }
                    if (allowed.isEmpty()) {
                        promise.failed(new AddressNotAllowedException("'" + host + "' resolves to " + firstRefusal
                                + ", which Miaobu does not call. An admin can allow it with"
                                + " outbound.allowed.networks."));
                    } else {
                        promise.succeeded(allowed);
                    }
                }

                @Override
                public void failed(Throwable failure) {
                    promise.failed(failure);
                }
            });
        }
    }
}
