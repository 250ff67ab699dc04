package io.miaobu.plugin.aliyun.rpc.standin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.miaobu.api.Secret;
import io.miaobu.api.config.ConfigValues;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A local Alibaba Cloud for the RPC-style APIs the aliyun plugin calls: CDN (version 2018-05-10, see {@link #cdn()})
 * and AliDNS (2015-01-09, see {@link #dns()}), on one HTTP endpoint, driven by Alibaba's own SDKs.
 *
 * <p>Every request is checked the way Alibaba documents for signature version 1.0: the common parameters must be
 * there, the {@code Timestamp} within 15 minutes, the {@code SignatureNonce} unused, the {@code AccessKeyId} known
 * ({@code InvalidAccessKeyId.NotFound}, 404), and the {@code Signature} equal to base64(HMAC-SHA1(secret + "&",
 * method + "&%2F&" + percentEncode(sorted, percent-encoded query))) over query and form parameters
 * ({@code SignatureDoesNotMatch}, 400, with the server's string to sign in the message as Alibaba sends it). Errors are
 * Alibaba's JSON: {@code {"RequestId","HostId","Code","Message","Recommend"}}.
 *
 * <p>Test controls: {@link #denyAction} (a RAM user without that permission: {@code Forbidden.RAM}, 403),
 * {@link #failNext} (fault injection), {@link #requests} (the log of accepted and refused requests), and the state of
 * each service. Thread-safe (one lock); bound to 127.0.0.1 on a free port.
 *
 * <p>It speaks HTTP/1.1 over a plain socket (one request per connection) rather than through the JDK's
 * {@code HttpServer}, because that server writes {@code Content-type} and Alibaba's SDK looks the header up as
 * {@code Content-Type}, case-sensitively, as Alibaba sends it.
 *
 * <pre>{@code
 * try (AliyunRpcStandIn aliyun = AliyunRpcStandIn.start()) {
 *     aliyun.dns().addZone("example.com");
 *     ConfigValues global = aliyun.settings(Map.of("bucket", "sites"));   // keys + cdn-endpoint + dns-endpoint
 *     ...
 *     aliyun.requests("RefreshObjectCaches");                             // what the plugin sent
 * }
 * }</pre>
 */
public final class AliyunRpcStandIn implements AutoCloseable {

    /** The AccessKey every stand-in knows from the start. */
    public static final String ACCESS_KEY_ID = "LTAI5tStandInKeyId";

    static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMESTAMP_SKEW = Duration.ofMinutes(15);
    private static final Set<String> COMMON = Set.of("Action", "Version", "Format", "AccessKeyId", "SignatureMethod",
            "SignatureVersion", "SignatureNonce", "Timestamp", "Signature");

    private final ServerSocket server;
    private final ExecutorService executor;
    private final Clock clock;
    private final Object lock = new Object();
    private final Map<String, String> secrets = new HashMap<>();
    private final Set<String> nonces = new HashSet<>();
    private final Set<String> denied = new HashSet<>();
    private final Map<String, Deque<Fault>> faults = new HashMap<>();
    private final List<RpcRequest> log = new ArrayList<>();
    private final String accessKeySecret = "standin-secret-" + UUID.randomUUID();
    private final CdnStandIn cdn;
    private final AliDnsStandIn dns;

    private AliyunRpcStandIn(ServerSocket server, Clock clock) {
        this.server = server;
        this.clock = clock;
        this.cdn = new CdnStandIn(lock, clock);
        this.dns = new AliDnsStandIn(lock);
        secrets.put(ACCESS_KEY_ID, accessKeySecret);
        executor = Executors.newFixedThreadPool(5);
        executor.execute(this::accept);
    }

    /** Starts a stand-in on 127.0.0.1 and a free port. */
    public static AliyunRpcStandIn start() {
        try {
            return new AliyunRpcStandIn(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), Clock.systemUTC());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code http://127.0.0.1:<port>}: the value for the {@code cdn-endpoint} and {@code dns-endpoint} settings. */
    public String endpoint() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    /** The secret of {@link #ACCESS_KEY_ID}. */
    public String accessKeySecret() {
        return accessKeySecret;
    }

    /** Another AccessKey pair the stand-in accepts. */
    public void addAccessKey(String id, String secret) {
        synchronized (lock) {
            secrets.put(id, secret);
        }
    }

    /**
     * Plugin settings pointing CDN and AliDNS at this stand-in with {@link #ACCESS_KEY_ID} and its secret;
     * {@code extra} adds or overrides plain settings (bucket, OSS endpoint, cdn-domains, ...).
     */
    public ConfigValues settings(Map<String, String> extra) {
        return settings(ACCESS_KEY_ID, accessKeySecret, extra);
    }

    /** Like {@link #settings(Map)} with the given keys (e.g. a wrong secret). */
    public ConfigValues settings(String accessKeyId, String secret, Map<String, String> extra) {
        Map<String, String> plain = new LinkedHashMap<>();
        plain.put("access-key-id", accessKeyId);
        plain.put("region", "cn-hangzhou");
        plain.put("bucket", "miaobu-sites");
        plain.put("endpoint", "https://oss-cn-hangzhou.aliyuncs.com");
        plain.put("cdn-endpoint", endpoint());
        plain.put("dns-endpoint", endpoint());
        plain.putAll(extra);
        return ConfigValues.of(plain, Map.of("access-key-secret", Secret.of(secret)));
    }

    /** The CDN's state and controls. */
    public CdnStandIn cdn() {
        return cdn;
    }

    /** AliDNS's state and controls. */
    public AliDnsStandIn dns() {
        return dns;
    }

    /** From now on, {@code action} is refused with {@code Forbidden.RAM} (403), like a RAM user without it. */
    public void denyAction(String action) {
        synchronized (lock) {
            denied.add(action);
        }
    }

    /** The next signed, permitted {@code action} answers {@code status} with {@code code} instead of acting. */
    public void failNext(String action, int status, String code, String message) {
        synchronized (lock) {
            faults.computeIfAbsent(action, a -> new ArrayDeque<>()).add(new Fault(status, code, message));
        }
    }

    /** Every request received, in order, refused ones included (see {@link RpcRequest#errorCode()}). */
    public List<RpcRequest> requests() {
        synchronized (lock) {
            return List.copyOf(log);
        }
    }

    /** The requests for one action, in order. */
    public List<RpcRequest> requests(String action) {
        return requests().stream().filter(r -> action.equals(r.action())).toList();
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            executor.shutdownNow();
        }
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                executor.execute(() -> serve(socket));
            } catch (SocketException e) {
                return;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            socket.setSoTimeout(10_000);
            InputStream in = new BufferedInputStream(socket.getInputStream());
            String[] requestLine = readLine(in).split(" ");
            Map<String, String> headers = new HashMap<>();
            for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
                int colon = line.indexOf(':');
                headers.put(line.substring(0, colon).strip().toLowerCase(Locale.ROOT), line.substring(colon + 1).strip());
            }
            byte[] body = in.readNBytes(Integer.parseInt(headers.getOrDefault("content-length", "0")));
            String target = requestLine[1];
            int question = target.indexOf('?');
            Answer answer = handle(requestLine[0], question < 0 ? target : target.substring(0, question),
                    question < 0 ? null : target.substring(question + 1), headers.get("content-type"), body);
            byte[] bytes = JSON.writeValueAsBytes(answer.body());
            OutputStream out = socket.getOutputStream();
            out.write(("HTTP/1.1 " + answer.status() + " " + (answer.status() == 200 ? "OK" : "Error") + "\r\n"
                    + "Content-Type: application/json;charset=utf-8\r\n"
                    + "Content-Length: " + bytes.length + "\r\n"
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.flush();
        } catch (IOException | RuntimeException e) {
            // the client went away or sent garbage: nothing to answer
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("connection closed mid-request");
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }

    private Answer handle(String method, String path, String rawQuery, String contentType, byte[] body) {
        Map<String, String> params = new TreeMap<>();
        parseForm(rawQuery, params);
        if (body.length > 0 && contentType != null && contentType.startsWith("application/x-www-form-urlencoded")) {
            parseForm(new String(body, StandardCharsets.UTF_8), params);
        }
        synchronized (lock) {
            Answer answer = answer(method, path, params);
            Map<String, String> logged = new TreeMap<>(params);
            logged.remove("Signature");
            log.add(new RpcRequest(method, params.getOrDefault("Action", ""), params.getOrDefault("Version", ""),
                    Collections.unmodifiableMap(logged), answer.status(), answer.errorCode()));
            return answer;
        }
    }

    private Answer answer(String method, String path, Map<String, String> params) {
        String requestId = UUID.randomUUID().toString().toUpperCase();
        try {
            if (!path.equals("/") && !path.isEmpty()) {
                throw new RpcError(404, "InvalidAction.NotFound", "Specified api is not found, please check your url"
                        + " and method.");
            }
            if (!method.equals("GET") && !method.equals("POST")) {
                throw new RpcError(400, "UnsupportedHTTPMethod", "Specified HTTP method is not supported.");
            }
            for (String name : List.of("Action", "Version", "AccessKeyId", "SignatureMethod", "SignatureVersion",
                    "SignatureNonce", "Timestamp", "Signature")) {
                if (!params.containsKey(name)) {
                    throw new RpcError(400, "MissingParameter", name.equals("Action") ? "Action is mandatory."
                            : "The input parameter \"" + name + "\" that is mandatory for processing this request"
                            + " is not supplied.");
                }
            }
            if (!"JSON".equalsIgnoreCase(params.getOrDefault("Format", "XML"))) {
                throw new RpcError(400, "InvalidParameter.Format", "This stand-in answers Format=JSON only.");
            }
            if (!"HMAC-SHA1".equals(params.get("SignatureMethod")) || !"1.0".equals(params.get("SignatureVersion"))) {
                throw new RpcError(400, "InvalidSignatureMethod", "Specified signature method is not supported.");
            }
            checkTimestamp(params.get("Timestamp"));
            String secret = secrets.get(params.get("AccessKeyId"));
            if (secret == null) {
                throw new RpcError(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.");
            }
            String stringToSign = stringToSign(method, params);
            String expected = sign(stringToSign, secret);
            if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8),
                    params.get("Signature").getBytes(StandardCharsets.UTF_8))) {
                throw new RpcError(400, "SignatureDoesNotMatch", "Specified signature is not matched with our"
                        + " calculation. server string to sign is:" + stringToSign);
            }
            if (!nonces.add(params.get("SignatureNonce"))) {
                throw new RpcError(400, "SignatureNonceUsed", "Specified signature nonce was used already.");
            }
            String action = params.get("Action");
            if (denied.contains(action)) {
                throw new RpcError(403, "Forbidden.RAM", "User not authorized to operate on the specified resource,"
                        + " or this API doesn't support RAM.");
            }
            Deque<Fault> queued = faults.get(action);
            Fault fault = queued == null ? null : queued.poll();
            if (fault != null) {
                throw new RpcError(fault.status(), fault.code(), fault.message());
            }
            ObjectNode body = switch (params.get("Version")) {
                case CdnStandIn.VERSION -> cdn.act(action, new Params(params));
                case AliDnsStandIn.VERSION -> dns.act(action, new Params(params));
                default -> throw new RpcError(400, "InvalidVersion", "Specified parameter Version is not valid.");
            };
            body.put("RequestId", requestId);
            return new Answer(200, body, "");
        } catch (RpcError e) {
            ObjectNode error = JSON.createObjectNode();
            error.put("RequestId", requestId);
            error.put("HostId", "127.0.0.1");
            error.put("Code", e.code());
            error.put("Message", e.getMessage());
            error.put("Recommend", "https://api.aliyun.com/troubleshoot?q=" + e.code());
            return new Answer(e.status(), error, e.code());
        }
    }

    private void checkTimestamp(String timestamp) {
        Instant at;
        try {
            at = Instant.parse(timestamp);
        } catch (DateTimeParseException e) {
            throw new RpcError(400, "InvalidTimeStamp.Format", "Specified time stamp or date value is not well"
                    + " formatted.");
        }
        if (Duration.between(at, clock.instant()).abs().compareTo(TIMESTAMP_SKEW) > 0) {
            throw new RpcError(400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.");
        }
    }

    /** Alibaba's StringToSign for RPC signature version 1.0. */
    public static String stringToSign(String method, Map<String, String> params) {
        StringBuilder canonical = new StringBuilder();
        new TreeMap<>(params).forEach((name, value) -> {
            if (!name.equals("Signature")) {
                canonical.append(canonical.isEmpty() ? "" : "&").append(percentEncode(name)).append('=')
                        .append(percentEncode(value));
            }
        });
        return method + "&" + percentEncode("/") + "&" + percentEncode(canonical.toString());
    }

    /** base64(HMAC-SHA1(secret + "&", stringToSign)). */
    public static String sign(String stringToSign, String secret) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec((secret + "&").getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            return Base64.getEncoder().encodeToString(mac.doFinal(stringToSign.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }

    /** RFC 3986 encoding as Alibaba's RPC signature uses it: unreserved characters stay, the rest is %XX. */
    public static String percentEncode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20").replace("*", "%2A")
                .replace("%7E", "~");
    }

    private static void parseForm(String raw, Map<String, String> into) {
        if (raw == null || raw.isEmpty()) {
            return;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            into.put(name, value);
        }
    }

    static boolean isCommon(String name) {
        return COMMON.contains(name);
    }

    private record Fault(int status, String code, String message) {
    }

    private record Answer(int status, ObjectNode body, String errorCode) {
    }
}
