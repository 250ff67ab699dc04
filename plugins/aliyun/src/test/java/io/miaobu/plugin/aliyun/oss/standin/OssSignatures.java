package io.miaobu.plugin.aliyun.oss.standin;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * OSS's request signatures as the service computes them, V1 ({@code OSS id:signature}, HMAC-SHA1) and V4
 * ({@code OSS4-HMAC-SHA256 Credential=…}), from the documented algorithms (and byte-checked against aliyun-sdk-oss).
 */
public final class OssSignatures {

    /** Query parameters that are part of a V1 canonicalized resource (sub-resources), as OSS lists them. */
    static final Set<String> V1_SUBRESOURCES = Set.of("acl", "uploads", "location", "cors", "logging", "website",
            "referer", "lifecycle", "delete", "append", "tagging", "objectMeta", "uploadId", "partNumber",
            "security-token", "position", "response-cache-control", "response-content-disposition",
            "response-content-encoding", "response-content-language", "response-content-type", "response-expires",
            "img", "style", "styleName", "replication", "replicationProgress", "replicationLocation", "cname",
            "bucketInfo", "comp", "qos", "live", "status", "vod", "startTime", "endTime", "x-oss-process",
            "processConfiguration", "symlink", "stat", "udf", "udfName", "udfImage", "udfImageDesc",
            "udfApplication", "udfApplicationLog", "restore", "versions", "versioning", "versionId", "encryption",
            "policy", "requestPayment", "x-oss-traffic-limit", "qosInfo", "asyncFetch", "sequential",
            "x-oss-request-payer", "vpcip", "vip", "inventory", "inventoryId", "continuation-token", "worm",
            "wormId", "wormExtend", "callback", "callback-var", "x-oss-dir", "x-oss-rename", "x-oss-delete",
            "transferAcceleration");

    private static final List<String> V4_DEFAULT_SIGNED = List.of("content-type", "content-md5");

    private OssSignatures() {
    }

    /**
     * The V1 string to sign.
     *
     * @param headers  lower-case names, first value
     * @param resource {@code /bucket/key} (decoded) or {@code /bucket/}
     * @param query    decoded; a value of null or "" means the parameter had none
     */
    public static String v1StringToSign(String method, Map<String, String> headers, String resource,
                                        Map<String, String> query) {
        StringBuilder s = new StringBuilder();
        s.append(method).append('\n');
        s.append(headers.getOrDefault("content-md5", "")).append('\n');
        s.append(headers.getOrDefault("content-type", "")).append('\n');
        s.append(headers.getOrDefault("date", "")).append('\n');
        new TreeMap<>(headers).forEach((name, value) -> {
            if (name.startsWith("x-oss-")) {
                s.append(name).append(':').append(value.trim()).append('\n');
            }
        });
        s.append(resource);
        char separator = '?';
        for (var parameter : new TreeMap<>(query).entrySet()) {
            if (V1_SUBRESOURCES.contains(parameter.getKey())) {
                s.append(separator).append(parameter.getKey());
                if (parameter.getValue() != null && !parameter.getValue().isEmpty()) {
                    s.append('=').append(parameter.getValue());
                }
                separator = '&';
            }
        }
        return s.toString();
    }

    public static String v1Signature(String secret, String stringToSign) {
        return Base64.getEncoder().encodeToString(hmac("HmacSHA1", secret.getBytes(StandardCharsets.UTF_8),
                stringToSign));
    }

    /**
     * The V4 canonical request.
     *
     * @param resource          {@code /bucket/key} (decoded) or {@code /bucket/}
     * @param additionalHeaders lower-case names from the Authorization header
     */
    public static String v4CanonicalRequest(String method, Map<String, String> headers, String resource,
                                            Map<String, String> query, List<String> additionalHeaders) {
        StringBuilder s = new StringBuilder();
        s.append(method).append('\n');
        s.append(encode(resource, true)).append('\n');
        TreeMap<String, String> params = new TreeMap<>();
        query.forEach((k, v) -> params.put(encode(k.trim(), false), v == null ? "" : encode(v.trim(), false)));
        StringBuilder q = new StringBuilder();
        params.forEach((k, v) -> {
            if (q.length() > 0) {
                q.append('&');
            }
            q.append(k);
            if (!v.isEmpty()) {
                q.append('=').append(v);
            }
        });
        s.append(q).append('\n');
        new TreeMap<>(headers).forEach((name, value) -> {
            if (V4_DEFAULT_SIGNED.contains(name) || name.startsWith("x-oss-") || additionalHeaders.contains(name)) {
                s.append(name).append(':').append(value.trim()).append('\n');
            }
        });
        s.append('\n');
        s.append(String.join(";", additionalHeaders)).append('\n');
        s.append(headers.getOrDefault("x-oss-content-sha256", "UNSIGNED-PAYLOAD"));
        return s.toString();
    }

    public static String v4StringToSign(String dateTime, String scope, String canonicalRequest) {
        return "OSS4-HMAC-SHA256\n" + dateTime + "\n" + scope + "\n"
                + HexFormat.of().formatHex(sha256(canonicalRequest.getBytes(StandardCharsets.UTF_8)));
    }

    public static String v4Signature(String secret, String date, String region, String product, String stringToSign) {
        byte[] key = hmac("HmacSHA256", ("aliyun_v4" + secret).getBytes(StandardCharsets.UTF_8), date);
        key = hmac("HmacSHA256", key, region);
        key = hmac("HmacSHA256", key, product);
        key = hmac("HmacSHA256", key, "aliyun_v4_request");
        return HexFormat.of().formatHex(hmac("HmacSHA256", key, stringToSign));
    }

    /** OSS's URL encoding: RFC 3986 unreserved characters stay, {@code /} too when {@code keepSlash}. */
    static String encode(String value, boolean keepSlash) {
        String encoded = URLEncoder.encode(value, StandardCharsets.UTF_8)
                .replace("+", "%20").replace("*", "%2A").replace("%7E", "~");
        return keepSlash ? encoded.replace("%2F", "/") : encoded;
    }

    private static byte[] hmac(String algorithm, byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance(algorithm);
            mac.init(new SecretKeySpec(key, algorithm));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
