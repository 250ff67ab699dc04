package io.miaobu.plugin.github.standin;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The real webhook payloads GitHub sends (from octokit/webhooks, MIT; see {@code github-webhooks/SOURCE.md}), signed
 * and posted the way GitHub does: {@code X-Hub-Signature-256}, {@code X-GitHub-Event}, {@code X-GitHub-Delivery},
 * {@code User-Agent: GitHub-Hookshot/…} and {@code Content-Type: application/json}.
 *
 * <p>Payload names: {@link #PING}, {@link #PUSH_TAG_DELETED}, {@link #PUSH_NEW_BRANCH}, {@link #PULL_REQUEST_OPENED},
 * {@link #PULL_REQUEST_SYNCHRONIZE}, {@link #PULL_REQUEST_REOPENED}, {@link #PULL_REQUEST_CLOSED}.
 */
public final class GitHubWebhooks {

    /** {@code ping}: sent when a hook is created. */
    public static final Payload PING = new Payload("ping", "ping-payload.json");
    /** {@code push} of a deleted tag {@code refs/tags/simple-tag} ({@code deleted: true}). */
    public static final Payload PUSH_TAG_DELETED = new Payload("push", "push-payload.json");
    /** {@code push} creating branch {@code master} at {@code 6113728f27ae82c7b1a177c8d03f9e96e0adf246}. */
    public static final Payload PUSH_NEW_BRANCH = new Payload("push", "push-with-new-branch.payload.json");
    /** {@code pull_request} #2 opened, head {@code changes} at {@code ec26c3e57ca3a959ca5aad62de7213c562f8c821}. */
    public static final Payload PULL_REQUEST_OPENED = new Payload("pull_request", "pull_request-opened.payload.json");
    public static final Payload PULL_REQUEST_SYNCHRONIZE =
            new Payload("pull_request", "pull_request-synchronize.payload.json");
    public static final Payload PULL_REQUEST_REOPENED =
            new Payload("pull_request", "pull_request-reopened.payload.json");
    public static final Payload PULL_REQUEST_CLOSED = new Payload("pull_request", "pull_request-closed.payload.json");

    /** Every payload above. */
    public static final List<Payload> ALL = List.of(PING, PUSH_TAG_DELETED, PUSH_NEW_BRANCH, PULL_REQUEST_OPENED,
            PULL_REQUEST_SYNCHRONIZE, PULL_REQUEST_REOPENED, PULL_REQUEST_CLOSED);

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private GitHubWebhooks() {
    }

    /**
     * One stored payload.
     *
     * @param event    the {@code X-GitHub-Event} it is sent with
     * @param resource its file name under {@code github-webhooks/} on the class path
     */
    public record Payload(String event, String resource) {

        /** The payload's bytes, exactly as stored. */
        public byte[] body() {
            return load(resource);
        }

        /** The payload as text, for tests that change a field before signing. */
        public String text() {
            return new String(body(), StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return resource;
        }
    }

    /** GitHub's signature header value: {@code sha256=} and the hex HMAC-SHA256 of {@code body} with the secret. */
    public static String sign(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A payload's bytes from {@code github-webhooks/<name>} on the class path. */
    public static byte[] load(String name) {
        try (InputStream in = GitHubWebhooks.class.getResourceAsStream("/github-webhooks/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no webhook payload github-webhooks/" + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The headers GitHub sends with a delivery, names in lower case (as {@code WebhookDelivery} wants them).
     *
     * @param signature the {@code X-Hub-Signature-256} value, or {@code null} to leave it out
     */
    public static Map<String, List<String>> headers(String event, String deliveryId, String signature) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        headers.put("content-type", List.of("application/json"));
        headers.put("user-agent", List.of("GitHub-Hookshot/5a1e7b2"));
        headers.put("x-github-event", List.of(event));
        headers.put("x-github-delivery", List.of(deliveryId));
        headers.put("x-github-hook-id", List.of("109948940"));
        if (signature != null) {
            headers.put("x-hub-signature-256", List.of(signature));
        }
        return headers;
    }

    /** A new delivery id, a UUID as GitHub's are. */
    public static String newDeliveryId() {
        return UUID.randomUUID().toString();
    }

    /** Signs {@code body} with {@code secret} and POSTs it to {@code url} like GitHub does. */
    public static HttpResponse<String> postSigned(URI url, String event, byte[] body, String secret,
                                                  String deliveryId) throws IOException, InterruptedException {
        return postWithSignature(url, event, body, sign(secret, body), deliveryId);
    }

    /** POSTs a stored payload signed with {@code secret} under a new delivery id. */
    public static HttpResponse<String> post(URI url, Payload payload, String secret)
            throws IOException, InterruptedException {
        return postSigned(url, payload.event(), payload.body(), secret, newDeliveryId());
    }

    /** POSTs {@code body} with this {@code X-Hub-Signature-256} value ({@code null}: none), for refusals. */
    public static HttpResponse<String> postWithSignature(URI url, String event, byte[] body, String signatureHeader,
                                                         String deliveryId) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(url).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers(event, deliveryId, signatureHeader).forEach((name, values) -> values.forEach(
                value -> request.header(name, value)));
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
