package io.miaobu.plugin.aliyun.oss.standin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A local Alibaba Cloud OSS with one bucket, speaking the documented REST protocol path-style
 * ({@code http://127.0.0.1:port/<bucket>/<key>}) and checking every request's signature (V1 and V4) as OSS does.
 *
 * <pre>
 * try (OssStandIn oss = OssStandIn.start("sites")) {
 *     oss.user("AKID", "secret");                    // read-write; readOnlyUser(...) may only read and list
 *     // settings: endpoint oss.endpoint(), region OssStandIn.REGION, bucket "sites"
 *     oss.fail(OssStandIn.Fault.UNAVAILABLE, 2, "PUT", ".*objects/.*");   // the next 2 matching requests get 503
 *     oss.requests();                                // what the client sent, in order
 *     oss.objects();                                 // key → content, a snapshot
 * }
 * </pre>
 * Supported: PUT/GET (with Range)/HEAD/DELETE object, POST {@code ?delete} (multi-delete, Content-MD5 required),
 * GET bucket (ListObjects and ListObjectsV2 with prefix, delimiter, max-keys, marker/continuation-token, encoding-type
 * url), GET {@code ?bucketInfo}; errors as OSS's XML with its codes and statuses.
 */
public final class OssStandIn implements AutoCloseable {

    /** The region V4 signatures must name. */
    public static final String REGION = "cn-hangzhou";

    /** What an injected fault does to a matching request. */
    public enum Fault {
        /** answers 503 ServiceUnavailable */
        UNAVAILABLE,
        /** reads part of the request, then closes the connection without answering */
        CONNECTION_RESET,
        /** waits until {@link #releaseHeld()} before answering normally */
        HOLD
    }

    /**
     * One request as received.
     *
     * @param key     the object key, decoded; empty for bucket requests
     * @param query   decoded parameters; a value is "" when the parameter had none
     * @param headers lower-case names, first values
     * @param status  the status answered; 0 when the connection was dropped
     */
    public record Request(String method, String key, Map<String, String> query, Map<String, String> headers,
                          long bodySize, int status) {
    }

    /** A stored object. */
    public record StoredObject(byte[] content, String contentType, String cacheControl, String etag,
                               Instant lastModified) {
    }

    private record User(String secret, boolean canWrite) {
    }

    private record FaultRule(Fault fault, String method, Pattern keys, AtomicInteger remaining) {
    }

    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);
    private static final Pattern V4_AUTH = Pattern.compile(
            "OSS4-HMAC-SHA256 Credential=([^/]+)/(\\d{8})/([^/]+)/([^/]+)/aliyun_v4_request"
                    + "(?:,\\s*AdditionalHeaders=([^,]*))?,\\s*Signature=([0-9a-f]+)");
    private static final Pattern V1_AUTH = Pattern.compile("OSS ([^:]+):(.+)");

    private final String bucket;
    private final HttpServer server;
    private final ExecutorService executor;
    private final NavigableMap<String, StoredObject> objects = new ConcurrentSkipListMap<>();
    private final Map<String, User> users = new ConcurrentHashMap<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    // the request being answered on this handler thread, logged by send()
    private final ThreadLocal<Request> pending = new ThreadLocal<>();
    private final List<FaultRule> faults = new CopyOnWriteArrayList<>();
    private final AtomicInteger held = new AtomicInteger();
    private volatile CountDownLatch release = new CountDownLatch(1);
    private volatile boolean anonymousReads;

    private OssStandIn(String bucket) throws IOException {
        this.bucket = bucket;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread thread = new Thread(r, "oss-stand-in");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Starts a stand-in with one empty bucket on 127.0.0.1 and a free port. */
    public static OssStandIn start(String bucket) throws IOException {
        return new OssStandIn(bucket);
    }

    /** {@code http://127.0.0.1:<port>}: an address, so clients use path-style requests. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    public String bucket() {
        return bucket;
    }

    /** Adds an AccessKey that may do everything. */
    public OssStandIn user(String accessKeyId, String secret) {
        users.put(accessKeyId, new User(secret, true));
        return this;
    }

    /** Adds an AccessKey that may read, list and get bucket info, and is denied writes (AccessDenied). */
    public OssStandIn readOnlyUser(String accessKeyId, String secret) {
        users.put(accessKeyId, new User(secret, false));
        return this;
    }

    /** Lets unsigned GET and HEAD of objects through, like a public-read bucket (for CDN-style readers). */
    public OssStandIn allowAnonymousReads(boolean allow) {
        this.anonymousReads = allow;
        return this;
    }

    /**
     * Applies {@code fault} to the next {@code times} requests whose method (null: any) and key match.
     *
     * @param keyPattern a regular expression the whole key must match
     */
    public void fail(Fault fault, int times, String method, String keyPattern) {
        faults.add(new FaultRule(fault, method, Pattern.compile(keyPattern), new AtomicInteger(times)));
    }

    /** Applies {@code fault} to every matching request from now on, until {@link #clearFaults()}. */
    public void failAlways(Fault fault, String method, String keyPattern) {
        fail(fault, Integer.MAX_VALUE, method, keyPattern);
    }

    public void clearFaults() {
        faults.clear();
    }

    /** How many requests are waiting in a {@link Fault#HOLD} right now. */
    public int heldRequests() {
        return held.get();
    }

    /** Lets every held request go on, and new ones too until the next {@link Fault#HOLD} rule is added. */
    public void releaseHeld() {
        release.countDown();
    }

    /** Every request received so far, in order of completion. */
    public List<Request> requests() {
        return List.copyOf(requests);
    }

    /** The requests with this method whose key matches. */
    public List<Request> requests(String method, Predicate<String> key) {
        return requests.stream().filter(r -> r.method().equals(method) && key.test(r.key())).toList();
    }

    public void clearRequests() {
        requests.clear();
    }

    /** A snapshot of the bucket: key → content. */
    public Map<String, byte[]> objects() {
        Map<String, byte[]> snapshot = new TreeMap<>();
        objects.forEach((k, v) -> snapshot.put(k, v.content()));
        return snapshot;
    }

    public Optional<StoredObject> object(String key) {
        return Optional.ofNullable(objects.get(key));
    }

    /** Stores an object directly, as if written at {@code lastModified}. */
    public void putObject(String key, byte[] content, String contentType, Instant lastModified) {
        objects.put(key, new StoredObject(content, contentType, null, etag(content), lastModified));
    }

    @Override
    public void close() {
        release.countDown();
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        URI uri = exchange.getRequestURI();
        String path = uri.getPath() == null ? "/" : uri.getPath();
        String[] parts = path.substring(1).split("/", 2);
        String bucketName = parts[0];
        String key = parts.length > 1 ? parts[1] : "";
        Map<String, String> query = query(uri.getRawQuery());
        Map<String, String> headers = new TreeMap<>();
        exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT),
                values.isEmpty() ? "" : values.get(0)));
        FaultRule fault = matchingFault(method, key);
        if (fault != null && fault.fault() == Fault.CONNECTION_RESET) {
            InputStream in = exchange.getRequestBody();
            long length = headers.containsKey("content-length") ? Long.parseLong(headers.get("content-length")) : 0;
            long read = in.readNBytes((int) Math.min(length / 2, Integer.MAX_VALUE)).length;
            requests.add(new Request(method, key, query, headers, read, 0));
            exchange.close();   // headers never sent: the connection is closed without an answer
            return;
        }
        byte[] body = exchange.getRequestBody().readAllBytes();
        // recorded by send(), before the answer leaves, so a client that got its answer finds its request logged
        pending.set(new Request(method, key, query, headers, body.length, 0));
        try {
            if (fault != null && fault.fault() == Fault.HOLD) {
                held.incrementAndGet();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    held.decrementAndGet();
                }
            }
            if (fault != null && fault.fault() == Fault.UNAVAILABLE) {
                error(exchange, 503, "ServiceUnavailable", "Please reduce your request rate.", key);
            } else {
                serve(exchange, method, bucketName, key, query, headers, body);
            }
        } catch (RuntimeException e) {
            error(exchange, 500, "InternalError", "We encountered an internal error: " + e, key);
        }
    }

    private FaultRule matchingFault(String method, String key) {
        for (FaultRule rule : faults) {
            if ((rule.method() == null || rule.method().equals(method)) && rule.keys().matcher(key).matches()) {
                if (rule.remaining().getAndUpdate(n -> n == Integer.MAX_VALUE ? n : Math.max(0, n - 1)) > 0) {
                    if (rule.fault() == Fault.HOLD && release.getCount() == 0) {
                        release = new CountDownLatch(1);
                    }
                    return rule;
                }
            }
        }
        return null;
    }

    private int serve(HttpExchange exchange, String method, String bucketName, String key, Map<String, String> query,
                      Map<String, String> headers, byte[] body) throws IOException {
        if (!bucket.equals(bucketName)) {
            return error(exchange, 404, "NoSuchBucket", "The specified bucket does not exist.", key);
        }
        String resource = "/" + bucketName + "/" + key;
        boolean read = method.equals("GET") || method.equals("HEAD");
        String authorization = headers.get("authorization");
        User user;
        if (authorization == null) {
            if (!(anonymousReads && read && !key.isEmpty())) {
                return error(exchange, 403, "AccessDenied", "You have no right to access this object because "
                        + "of bucket acl.", key);
            }
            user = new User("", false);
        } else {
            Matcher v4 = V4_AUTH.matcher(authorization);
            Matcher v1 = V1_AUTH.matcher(authorization);
            String id;
            String expected;
            String given;
            String stringToSign;
            if (v4.matches()) {
                id = v4.group(1);
                User known = users.get(id);
                if (known == null) {
                    return error(exchange, 403, "InvalidAccessKeyId", "The OSS Access Key Id you provided does not "
                            + "exist in our records.", key);
                }
                String dateTime = headers.getOrDefault("x-oss-date", "");
                if (!dateTime.startsWith(v4.group(2)) || !REGION.equals(v4.group(3)) || !"oss".equals(v4.group(4))) {
                    return error(exchange, 403, "SignatureDoesNotMatch", "Invalid credential scope "
                            + v4.group(2) + "/" + v4.group(3) + "/" + v4.group(4) + " for x-oss-date " + dateTime
                            + " in region " + REGION + ".", key);
                }
                List<String> additional = v4.group(5) == null || v4.group(5).isBlank() ? List.of()
                        : Arrays.stream(v4.group(5).split(";")).map(s -> s.trim().toLowerCase(Locale.ROOT)).toList();
                String canonical = OssSignatures.v4CanonicalRequest(method, headers, resource, query, additional);
                stringToSign = OssSignatures.v4StringToSign(dateTime,
                        v4.group(2) + "/" + v4.group(3) + "/" + v4.group(4) + "/aliyun_v4_request", canonical);
                expected = OssSignatures.v4Signature(known.secret(), v4.group(2), v4.group(3), v4.group(4),
                        stringToSign);
                given = v4.group(6);
                user = known;
            } else if (v1.matches()) {
                id = v1.group(1);
                User known = users.get(id);
                if (known == null) {
                    return error(exchange, 403, "InvalidAccessKeyId", "The OSS Access Key Id you provided does not "
                            + "exist in our records.", key);
                }
                stringToSign = OssSignatures.v1StringToSign(method, headers, resource, query);
                expected = OssSignatures.v1Signature(known.secret(), stringToSign);
                given = v1.group(2);
                user = known;
            } else {
                return error(exchange, 400, "InvalidArgument", "Authorization header is invalid.", key);
            }
            if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8),
                    given.getBytes(StandardCharsets.UTF_8))) {
                return error(exchange, 403, "SignatureDoesNotMatch", "The request signature we calculated does not "
                        + "match the signature you provided. Check your key and signing method.", key,
                        "<StringToSign>" + xml(stringToSign) + "</StringToSign><OSSAccessKeyId>" + xml(id)
                                + "</OSSAccessKeyId>");
            }
        }
        if (!read && !user.canWrite()) {
            return error(exchange, 403, "AccessDenied", "You have no right to access this object because of bucket "
                    + "acl.", key);
        }
        if (key.isEmpty()) {
            if (method.equals("GET") && query.containsKey("bucketInfo")) {
                return bucketInfo(exchange);
            }
            if (method.equals("GET")) {
                return list(exchange, query);
            }
            if (method.equals("POST") && query.containsKey("delete")) {
                return multiDelete(exchange, query, headers, body);
            }
            return error(exchange, 405, "MethodNotAllowed", "The specified method is not allowed against this "
                    + "resource.", key);
        }
        return switch (method) {
            case "PUT" -> put(exchange, key, headers, body);
            case "GET", "HEAD" -> get(exchange, key, headers, method.equals("HEAD"));
            case "DELETE" -> {
                objects.remove(key);
                yield send(exchange, 204, null, null);
            }
            default -> error(exchange, 405, "MethodNotAllowed", "The specified method is not allowed against this "
                    + "resource.", key);
        };
    }

    private int put(HttpExchange exchange, String key, Map<String, String> headers, byte[] body) throws IOException {
        String md5 = headers.get("content-md5");
        if (md5 != null && !md5.equals(Base64.getEncoder().encodeToString(md5(body)))) {
            return error(exchange, 400, "InvalidDigest", "The Content-MD5 you specified was invalid.", key);
        }
        if ("true".equalsIgnoreCase(headers.get("x-oss-forbid-overwrite")) && objects.containsKey(key)) {
            return error(exchange, 409, "FileAlreadyExists", "The object you specified already exists and can not "
                    + "be overwritten.", key);
        }
        StoredObject object = new StoredObject(body, headers.getOrDefault("content-type",
                "application/octet-stream"), headers.get("cache-control"), etag(body), Instant.now());
        objects.put(key, object);
        exchange.getResponseHeaders().set("ETag", "\"" + object.etag() + "\"");
        return send(exchange, 200, null, null);
    }

    private int get(HttpExchange exchange, String key, Map<String, String> headers, boolean head) throws IOException {
        StoredObject object = objects.get(key);
        if (object == null) {
            return error(exchange, 404, "NoSuchKey", "The specified key does not exist.", key);
        }
        var response = exchange.getResponseHeaders();
        response.set("ETag", "\"" + object.etag() + "\"");
        response.set("Last-Modified", HTTP_DATE.format(object.lastModified()));
        response.set("x-oss-object-type", "Normal");
        response.set("x-oss-storage-class", "Standard");
        response.set("Accept-Ranges", "bytes");
        if (object.cacheControl() != null) {
            response.set("Cache-Control", object.cacheControl());
        }
        byte[] content = object.content();
        int status = 200;
        String range = headers.get("range");
        Matcher bytes = range == null ? null : Pattern.compile("bytes=(\\d*)-(\\d*)").matcher(range);
        if (bytes != null && bytes.matches() && content.length > 0) {
            long from = bytes.group(1).isEmpty() ? content.length - Long.parseLong(bytes.group(2))
                    : Long.parseLong(bytes.group(1));
            long to = bytes.group(1).isEmpty() || bytes.group(2).isEmpty() ? content.length - 1
                    : Math.min(Long.parseLong(bytes.group(2)), content.length - 1);
            if (from >= 0 && from <= to && from < content.length) {
                response.set("Content-Range", "bytes " + from + "-" + to + "/" + content.length);
                content = Arrays.copyOfRange(content, (int) from, (int) to + 1);
                status = 206;
            }
        }
        response.set("Content-Type", object.contentType());
        if (head) {
            response.set("Content-Length", Integer.toString(content.length));
            return send(exchange, status, null, null);
        }
        return send(exchange, status, object.contentType(), content);
    }

    private int list(HttpExchange exchange, Map<String, String> query) throws IOException {
        boolean v2 = "2".equals(query.get("list-type"));
        boolean urlEncoded = "url".equals(query.get("encoding-type"));
        String prefix = query.getOrDefault("prefix", "");
        String delimiter = query.getOrDefault("delimiter", "");
        int maxKeys = Math.min(1000, Integer.parseInt(query.getOrDefault("max-keys", "100")));
        String after = v2 ? query.getOrDefault("continuation-token", query.getOrDefault("start-after", ""))
                : query.getOrDefault("marker", "");
        if (v2 && query.containsKey("continuation-token")) {
            after = new String(Base64.getUrlDecoder().decode(query.get("continuation-token")),
                    StandardCharsets.UTF_8);
        }
        List<Map.Entry<String, StoredObject>> contents = new ArrayList<>();
        TreeSet<String> commonPrefixes = new TreeSet<>();
        String last = null;
        boolean truncated = false;
        for (var entry : objects.tailMap(after, false).entrySet()) {
            String key = entry.getKey();
            if (!key.startsWith(prefix)) {
                if (key.compareTo(prefix) > 0) {
                    break;
                }
                continue;
            }
            String common = null;
            if (!delimiter.isEmpty()) {
                int at = key.indexOf(delimiter, prefix.length());
                if (at >= 0) {
                    common = key.substring(0, at + delimiter.length());
                }
            }
            if (common != null && commonPrefixes.contains(common)) {
                last = key;
                continue;
            }
            if (contents.size() + commonPrefixes.size() == maxKeys) {
                truncated = true;
                break;
            }
            if (common != null) {
                commonPrefixes.add(common);
            } else {
                contents.add(entry);
            }
            last = key;
        }
        StringBuilder xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListBucketResult>");
        xml.append("<Name>").append(bucket).append("</Name>");
        xml.append("<Prefix>").append(enc(prefix, urlEncoded)).append("</Prefix>");
        if (v2) {
            if (query.containsKey("continuation-token")) {
                xml.append("<ContinuationToken>").append(xml(query.get("continuation-token")))
                        .append("</ContinuationToken>");
            }
            if (query.containsKey("start-after")) {
                xml.append("<StartAfter>").append(enc(query.get("start-after"), urlEncoded)).append("</StartAfter>");
            }
        } else {
            xml.append("<Marker>").append(enc(query.getOrDefault("marker", ""), urlEncoded)).append("</Marker>");
        }
        xml.append("<MaxKeys>").append(maxKeys).append("</MaxKeys>");
        xml.append("<Delimiter>").append(enc(delimiter, urlEncoded)).append("</Delimiter>");
        if (urlEncoded) {
            xml.append("<EncodingType>url</EncodingType>");
        }
        xml.append("<IsTruncated>").append(truncated).append("</IsTruncated>");
        if (truncated && last != null) {
            if (v2) {
                xml.append("<NextContinuationToken>").append(Base64.getUrlEncoder().withoutPadding()
                        .encodeToString(last.getBytes(StandardCharsets.UTF_8))).append("</NextContinuationToken>");
            } else {
                xml.append("<NextMarker>").append(enc(last, urlEncoded)).append("</NextMarker>");
            }
        }
        if (v2) {
            xml.append("<KeyCount>").append(contents.size() + commonPrefixes.size()).append("</KeyCount>");
        }
        for (var entry : contents) {
            StoredObject object = entry.getValue();
            xml.append("<Contents><Key>").append(enc(entry.getKey(), urlEncoded)).append("</Key>")
                    .append("<LastModified>").append(ISO.format(object.lastModified())).append("</LastModified>")
                    .append("<ETag>\"").append(object.etag()).append("\"</ETag>")
                    .append("<Type>Normal</Type><Size>").append(object.content().length).append("</Size>")
                    .append("<StorageClass>Standard</StorageClass>")
                    .append("<Owner><ID>1234567890</ID><DisplayName>1234567890</DisplayName></Owner>")
                    .append("</Contents>");
        }
        for (String common : commonPrefixes) {
            xml.append("<CommonPrefixes><Prefix>").append(enc(common, urlEncoded)).append("</Prefix></CommonPrefixes>");
        }
        xml.append("</ListBucketResult>");
        return send(exchange, 200, "application/xml", xml.toString().getBytes(StandardCharsets.UTF_8));
    }

    private int multiDelete(HttpExchange exchange, Map<String, String> query, Map<String, String> headers,
                            byte[] body) throws IOException {
        String md5 = headers.get("content-md5");
        if (md5 == null) {
            return error(exchange, 400, "MissingArgument", "Missing Some Required Arguments: Content-MD5.", "");
        }
        if (!md5.equals(Base64.getEncoder().encodeToString(md5(body)))) {
            return error(exchange, 400, "InvalidDigest", "The Content-MD5 you specified was invalid.", "");
        }
        String request = new String(body, StandardCharsets.UTF_8);
        boolean urlEncoded = "url".equals(query.get("encoding-type"));
        boolean quiet = request.contains("<Quiet>true</Quiet>");
        Matcher keys = Pattern.compile("<Key>(.*?)</Key>", Pattern.DOTALL).matcher(request);
        List<String> deleted = new ArrayList<>();
        while (keys.find()) {
            String key = unxml(keys.group(1));
            if (urlEncoded) {
                key = URLDecoder.decode(key, StandardCharsets.UTF_8);
            }
            objects.remove(key);
            deleted.add(key);
        }
        if (deleted.size() > 1000) {
            return error(exchange, 400, "MalformedXML", "The XML you provided was not well-formed or did not "
                    + "validate against our published schema (at most 1000 keys).", "");
        }
        StringBuilder xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<DeleteResult>");
        if (!quiet) {
            for (String key : deleted) {
                xml.append("<Deleted><Key>").append(enc(key, urlEncoded)).append("</Key></Deleted>");
            }
        }
        if (urlEncoded) {
            xml.append("<EncodingType>url</EncodingType>");
        }
        xml.append("</DeleteResult>");
        return send(exchange, 200, "application/xml", xml.toString().getBytes(StandardCharsets.UTF_8));
    }

    private int bucketInfo(HttpExchange exchange) throws IOException {
        String xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<BucketInfo><Bucket>"
                + "<AccessMonitor>Disabled</AccessMonitor><CreationDate>2024-01-01T00:00:00.000Z</CreationDate>"
                + "<ExtranetEndpoint>oss-" + REGION + ".aliyuncs.com</ExtranetEndpoint>"
                + "<IntranetEndpoint>oss-" + REGION + "-internal.aliyuncs.com</IntranetEndpoint>"
                + "<Location>oss-" + REGION + "</Location><StorageClass>Standard</StorageClass>"
                + "<TransferAcceleration>Disabled</TransferAcceleration>"
                + "<CrossRegionReplication>Disabled</CrossRegionReplication><Name>" + bucket + "</Name>"
                + "<ResourceGroupId>rg-default</ResourceGroupId>"
                + "<Owner><DisplayName>1234567890</DisplayName><ID>1234567890</ID></Owner>"
                + "<AccessControlList><Grant>private</Grant></AccessControlList>"
                + "<ServerSideEncryptionRule><SSEAlgorithm>None</SSEAlgorithm></ServerSideEncryptionRule>"
                + "<BucketPolicy><LogBucket></LogBucket><LogPrefix></LogPrefix></BucketPolicy>"
                + "<DataRedundancyType>LRS</DataRedundancyType><Versioning>Disabled</Versioning>"
                + "</Bucket></BucketInfo>";
        return send(exchange, 200, "application/xml", xml.getBytes(StandardCharsets.UTF_8));
    }

    private int error(HttpExchange exchange, int status, String code, String message, String key) throws IOException {
        return error(exchange, status, code, message, key, "");
    }

    private int error(HttpExchange exchange, int status, String code, String message, String key, String extra)
            throws IOException {
        String requestId = requestId();
        String xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code + "</Code><Message>"
                + xml(message) + "</Message><RequestId>" + requestId + "</RequestId><HostId>" + bucket
                + ".oss-" + REGION + ".aliyuncs.com</HostId>" + extra + "</Error>";
        exchange.getResponseHeaders().set("x-oss-request-id", requestId);
        boolean head = exchange.getRequestMethod().equals("HEAD");
        if (head) {
            // a HEAD answer has no body: OSS puts the error XML, base64-encoded, in a header
            exchange.getResponseHeaders().set("x-oss-err",
                    Base64.getEncoder().encodeToString(xml.getBytes(StandardCharsets.UTF_8)));
        }
        return send(exchange, status, "application/xml", head ? null : xml.getBytes(StandardCharsets.UTF_8));
    }

    private int send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        Request r = pending.get();
        if (r != null) {
            pending.remove();
            requests.add(new Request(r.method(), r.key(), r.query(), r.headers(), r.bodySize(), status));
        }
        var response = exchange.getResponseHeaders();
        response.putIfAbsent("x-oss-request-id", List.of(requestId()));
        response.set("Date", HTTP_DATE.format(Instant.now()));
        response.set("Server", "AliyunOSS");
        if (contentType != null) {
            response.set("Content-Type", contentType);
        }
        if (body == null) {
            exchange.sendResponseHeaders(status, -1);
        } else {
            exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
        exchange.close();
        return status;
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> query = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return query;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            query.put(name, value);
        }
        return Collections.unmodifiableMap(query);
    }

    private static String enc(String value, boolean urlEncoded) {
        return urlEncoded ? OssSignatures.encode(value, false) : xml(value);
    }

    private static String xml(String value) {
        return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static String unxml(String value) {
        return value.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&apos;", "'")
                .replace("&amp;", "&");
    }

    private static String requestId() {
        return UUID.randomUUID().toString().replace("-", "").substring(0, 24).toUpperCase(Locale.ROOT);
    }

    private static String etag(byte[] content) {
        return HexFormat.of().withUpperCase().formatHex(md5(content));
    }

    private static byte[] md5(byte[] content) {
        try {
            return MessageDigest.getInstance("MD5").digest(content);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Waits up to {@code timeout} until at least {@code count} requests are held. */
    public boolean awaitHeld(int count, long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (held.get() < count) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
            if (Thread.interrupted()) {
                throw new InterruptedException("stopped waiting for held requests");
            }
        }
        return true;
    }
}
