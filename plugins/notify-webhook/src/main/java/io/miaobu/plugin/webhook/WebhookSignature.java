package io.miaobu.plugin.webhook;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Objects;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The signature of a {@code miaobu}-format webhook, and the recipe a receiver follows to check it.
 *
 * <p>{@code X-Miaobu-Signature: v1=<hex>} where {@code <hex>} is the lowercase hex HMAC-SHA256, keyed with the
 * channel's secret (its UTF-8 bytes, exactly as shown), of {@code <X-Miaobu-Timestamp> + "." + <the raw body bytes>}.
 * Signing the timestamp with the body lets a receiver refuse a recorded request replayed later: {@link #verify} accepts
 * a timestamp only within a tolerance of its own clock. docs/user/webhook-notifications.md gives the same recipe in
 * Node.js and Python; receivers written in Java may copy this class, which needs only the JDK.
 */
public final class WebhookSignature {

    /** The scheme's version, the prefix of the header's value. */
    public static final String VERSION = "v1";

    /** The replay window we recommend to receivers. */
    public static final Duration RECOMMENDED_TOLERANCE = Duration.ofMinutes(5);

    private static final Pattern TIMESTAMP = Pattern.compile("[0-9]{1,18}");
    private static final Pattern SIGNATURE = Pattern.compile(VERSION + "=[0-9a-f]{64}");

    private WebhookSignature() {
    }

    /**
     * The {@code X-Miaobu-Signature} value for a body sent at {@code timestampSeconds}.
     *
     * @param secret           the channel's secret, not empty
     * @param timestampSeconds the {@code X-Miaobu-Timestamp} sent with it, in Unix seconds
     * @param body             the exact bytes sent
     * @return {@code v1=} and 64 lowercase hex digits
     */
    public static String sign(String secret, long timestampSeconds, byte[] body) {
        return VERSION + "=" + HexFormat.of().formatHex(mac(secret, Long.toString(timestampSeconds), body));
    }

    /**
     * Whether a request is authentic and fresh: the signature matches the secret, the timestamp and the body, and
     * the timestamp is no further than {@code tolerance} from {@code now} in either direction. Compares in constant
     * time. Any missing or malformed header gives {@code false}.
     *
     * @param secret          the channel's secret
     * @param timestampHeader the {@code X-Miaobu-Timestamp} header
     * @param body            the raw body, before any JSON parsing
     * @param signatureHeader the {@code X-Miaobu-Signature} header
     * @param tolerance       how old (or how far ahead) a timestamp may be; 5 minutes is recommended
     * @param now             the receiver's clock
     */
    public static boolean verify(String secret, String timestampHeader, byte[] body, String signatureHeader,
                                 Duration tolerance, Instant now) {
        Objects.requireNonNull(secret, "secret");
        Objects.requireNonNull(tolerance, "tolerance");
        Objects.requireNonNull(now, "now");
        if (secret.isEmpty() || body == null || timestampHeader == null || signatureHeader == null
                || !TIMESTAMP.matcher(timestampHeader).matches() || !SIGNATURE.matcher(signatureHeader).matches()) {
            return false;
        }
        long age = now.getEpochSecond() - Long.parseLong(timestampHeader);
        if (Math.abs(age) > tolerance.toSeconds()) {
            return false;
        }
        byte[] expected = mac(secret, timestampHeader, body);
        byte[] given = HexFormat.of().parseHex(signatureHeader, VERSION.length() + 1, signatureHeader.length());
        return MessageDigest.isEqual(expected, given);
    }

    private static byte[] mac(String secret, String timestamp, byte[] body) {
        Mac mac = hmacSha256(secret.getBytes(StandardCharsets.UTF_8));
        mac.update(timestamp.getBytes(StandardCharsets.US_ASCII));
        mac.update((byte) '.');
        return mac.doFinal(body);
    }

    /** An HMAC-SHA256 keyed with {@code key}; every JDK has it. */
    static Mac hmacSha256(byte[] key) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac;
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }
}
