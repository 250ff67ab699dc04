package io.miaobu.server.http;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.ConnectionMetaData;
import org.eclipse.jetty.server.ForwardedRequestCustomizer;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Request;

/**
 * Believes forwarding headers only from {@link AddressRanges}: added to the connector's {@link HttpConfiguration}
 * by the composition root, it runs on Jetty's threads once per request before any handler.
 *
 * <p>From a trusted peer, Jetty's {@link ForwardedRequestCustomizer} applies {@code X-Forwarded-Proto},
 * {@code X-Forwarded-Host}, {@code X-Forwarded-Port} and RFC 7239 {@code Forwarded} ({@code proto}, {@code host}) to
 * the request's scheme, secure flag and authority. The client address is chosen here, because Jetty takes the
 * left-most {@code X-Forwarded-For} (or {@code for=}) entry, which the client itself writes: the hops are read from
 * the right, each appended by a proxy about its own peer, skipping trusted proxies; the first untrusted one is the
 * client. When every hop is trusted the left-most is; a hop that is not an IP literal ({@code unknown}, an obfuscated
 * name) ends the walk, leaving the last address read (or the proxy itself) as the client. {@code Forwarded}'s
 * {@code for=} hops are used when present, else {@code X-Forwarded-For}'s.
 *
 * <p>From any other peer the headers are ignored: the request keeps its socket's address, scheme and host. Malformed
 * forwarding headers from a trusted proxy are answered 400 by Jetty.
 */
public final class TrustedProxyCustomizer implements HttpConfiguration.Customizer {

    private final AddressRanges proxies;
    private final ForwardedRequestCustomizer forwarded = new ForwardedRequestCustomizer();

    public TrustedProxyCustomizer(AddressRanges proxies) {
        this.proxies = proxies;
        // The client address is ours to choose; headers beyond the usual ones are not believed even from a proxy.
        forwarded.setForwardedForHeader(null);
        forwarded.setForwardedServerHeader(null);
        forwarded.setForwardedHttpsHeader(null);
        forwarded.setForwardedCipherSuiteHeader(null);
        forwarded.setForwardedSslSessionIdHeader(null);
    }

    @Override
    public Request customize(Request request, HttpFields.Mutable responseHeaders) {
        SocketAddress remote = request.getConnectionMetaData().getRemoteSocketAddress();
        if (!(remote instanceof InetSocketAddress peer) || peer.getAddress() == null
                || !proxies.contains(peer.getAddress())) {
            return request;
        }
        Request customized = forwarded.customize(request, responseHeaders);
        InetSocketAddress client = clientOf(request.getHeaders(), peer.getPort());
        return client == null ? customized : new ClientAddressRequest(customized, client);
    }

    /** The client named by the forwarding headers, or null when they name none. */
    private InetSocketAddress clientOf(HttpFields headers, int defaultPort) {
        List<String> hops = forwardedForHops(headers);
        if (hops.isEmpty()) {
            hops = splitList(headers.getValuesList(HttpHeader.X_FORWARDED_FOR));
        }
        InetSocketAddress client = null;
        for (int i = hops.size() - 1; i >= 0; i--) {
            InetSocketAddress hop = parseHop(hops.get(i), defaultPort);
            if (hop == null) {
                break;
            }
            client = hop;
            if (!proxies.contains(hop.getAddress())) {
                break;
            }
        }
        return client;
    }

    /** The {@code for=} value of each RFC 7239 element, "" for an element without; empty when none has one. */
    private static List<String> forwardedForHops(HttpFields headers) {
        var hops = new ArrayList<String>();
        boolean any = false;
        for (String element : splitList(headers.getValuesList(HttpHeader.FORWARDED))) {
            String hop = "";
            for (String pair : split(element, ';')) {
                int equals = pair.indexOf('=');
                if (equals > 0 && pair.substring(0, equals).strip().toLowerCase(Locale.ROOT).equals("for")) {
                    hop = unquote(pair.substring(equals + 1).strip());
                    any = true;
                    break;
                }
            }
            hops.add(hop);
        }
        return any ? hops : List.of();
    }

    /** An {@code address[:port]} hop; null when it is not an IP literal. */
    static InetSocketAddress parseHop(String hop, int defaultPort) {
        String host = hop;
        String port = null;
        if (hop.startsWith("[")) {
            int close = hop.indexOf(']');
            if (close < 0) {
                return null;
            }
            host = hop.substring(1, close);
            String rest = hop.substring(close + 1);
            if (rest.startsWith(":")) {
                port = rest.substring(1);
            } else if (!rest.isEmpty()) {
                return null;
            }
        } else if (hop.indexOf(':') >= 0 && hop.indexOf(':') == hop.lastIndexOf(':')) {
            host = hop.substring(0, hop.indexOf(':'));
            port = hop.substring(hop.indexOf(':') + 1);
        }
        InetAddress address;
        try {
            address = AddressRanges.literal(host);
        } catch (IllegalArgumentException e) {
            return null;
        }
        return new InetSocketAddress(address, portOf(port, defaultPort));
    }

    private static int portOf(String text, int fallback) {
        if (text == null || text.isEmpty() || text.length() > 5 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return fallback;
        }
        int port = Integer.parseInt(text);
        return port >= 1 && port <= 65535 ? port : fallback;
    }

    /** The comma-separated entries of every line of a header, in order. */
    private static List<String> splitList(List<String> lines) {
        var entries = new ArrayList<String>();
        for (String line : lines) {
            for (String entry : split(line, ',')) {
                entries.add(entry.strip());
            }
        }
        return entries;
    }

    /** Splits at {@code separator} outside double quotes. */
    private static List<String> split(String text, char separator) {
        var parts = new ArrayList<String>();
        var current = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == '\\' && quoted && i + 1 < text.length()) {
                current.append(c);
                c = text.charAt(++i);
            } else if (c == separator && !quoted) {
                parts.add(current.toString());
                current.setLength(0);
                continue;
            }
            current.append(c);
        }
        parts.add(current.toString());
        return parts;
    }

    private static String unquote(String value) {
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
            return value.substring(1, value.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\");
        }
        return value;
    }

    /** The request as Jetty's customizer left it, from the chosen client address. */
    private static final class ClientAddressRequest extends Request.Wrapper {

        private final ConnectionMetaData connection;

        ClientAddressRequest(Request request, InetSocketAddress client) {
            super(request);
            this.connection = new ConnectionMetaData.Wrapper(request.getConnectionMetaData()) {
                @Override
                public SocketAddress getRemoteSocketAddress() {
                    return client;
                }
            };
        }

        @Override
        public ConnectionMetaData getConnectionMetaData() {
            return connection;
        }
    }
}
