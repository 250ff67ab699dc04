package io.miaobu.server;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A browser as far as sign-in needs one: it keeps the cookies servers set (by host, honouring their path and
 * removal with {@code Max-Age=0}) and sends them back, and follows no redirect unless asked, so tests see every hop.
 */
final class Browser {

    /** A cookie as it was set, with its attributes as written. */
    record SetCookie(String name, String value, Map<String, String> attributes) {
        String attribute(String name) {
            return attributes.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private record Stored(String host, String path, String value) {
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private final Map<String, Stored> jar = new LinkedHashMap<>();

    HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri).GET(), uri);
    }

    /** A form POST from the page at {@code uri}'s origin. */
    HttpResponse<String> postForm(URI uri, String form) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri).header("Content-Type", "application/x-www-form-urlencoded")
                .header("Origin", uri.getScheme() + "://" + uri.getAuthority())
                .POST(HttpRequest.BodyPublishers.ofString(form)), uri);
    }

    /** Follows redirects from {@code response} to the end, collecting every hop. */
    List<HttpResponse<String>> follow(HttpResponse<String> response) throws IOException, InterruptedException {
        var hops = new ArrayList<HttpResponse<String>>();
        hops.add(response);
        while (response.statusCode() / 100 == 3 && hops.size() < 10) {
            URI next = response.uri().resolve(response.headers().firstValue("Location").orElseThrow());
            response = get(next);
            hops.add(response);
        }
        return hops;
    }

    /** The value of a cookie this browser would send to {@code host}, or null. */
    String cookie(String host, String name) {
        Stored stored = jar.get(host + " " + name);
        return stored == null ? null : stored.value();
    }

    void setCookie(String host, String path, String name, String value) {
        jar.put(host + " " + name, new Stored(host, path, value));
    }

    private HttpResponse<String> send(HttpRequest.Builder request, URI uri) throws IOException, InterruptedException {
        String cookies = jar.entrySet().stream()
                .filter(e -> e.getValue().host().equals(uri.getHost()) && uri.getPath().startsWith(e.getValue().path()))
                .map(e -> e.getKey().substring(e.getKey().indexOf(' ') + 1) + "=" + e.getValue().value())
                .collect(Collectors.joining("; "));
        if (!cookies.isEmpty()) {
            request.header("Cookie", cookies);
        }
        HttpResponse<String> response = http.send(request.timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        for (SetCookie set : setCookies(response.headers())) {
            String key = uri.getHost() + " " + set.name();
            String maxAge = set.attribute("max-age");
            if (set.value().isEmpty() || "0".equals(maxAge)) {
                jar.remove(key);
            } else {
                String path = set.attribute("path");
                jar.put(key, new Stored(uri.getHost(), path == null ? "/" : path, set.value()));
            }
        }
        return response;
    }

    static List<SetCookie> setCookies(HttpHeaders headers) {
        var cookies = new ArrayList<SetCookie>();
        for (String header : headers.allValues("Set-Cookie")) {
            String[] parts = header.split(";");
            int eq = parts[0].indexOf('=');
            var attributes = new LinkedHashMap<String, String>();
            for (int i = 1; i < parts.length; i++) {
                String part = parts[i].strip();
                int at = part.indexOf('=');
                attributes.put((at < 0 ? part : part.substring(0, at)).toLowerCase(Locale.ROOT),
                        at < 0 ? "" : part.substring(at + 1));
            }
            cookies.add(new SetCookie(parts[0].substring(0, eq).strip(), parts[0].substring(eq + 1).strip(),
                    attributes));
        }
        return cookies;
    }

    static SetCookie setCookie(HttpResponse<?> response, String name) {
        return setCookies(response.headers()).stream().filter(c -> c.name().equals(name)).findFirst().orElse(null);
    }
}
