package io.miaobu.server.site;

import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.eclipse.jetty.http.HttpDateTime;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.http.PreEncodedHttpField;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.URIUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves each project's live deployment on {@code <label>.<sitesDomain>}: a Jetty handler placed ahead of the Miaobu
 * app, which gets every request whose host is not a site host ({@link #handle} returns false for those).
 *
 * <p>Requests are answered from a {@link FileCache}: headers are pre-encoded per file and small files are written
 * straight from memory, so a hit costs a map lookup and one gathering write. The handler never blocks on a cache hit;
 * a miss touches the local disk briefly, as nginx does.
 *
 * <p>That only pays off when the server's handler tree is non-blocking as a whole, so that Jetty runs site requests
 * on its selector threads: compose it as {@code new Handler.Sequence(siteServer, new OffloadingHandler(app))} and give
 * the {@code ServerConnector} one selector per core (Jetty's default is half that). Either one missing costs about a
 * fifth of the throughput on two cores (see {@code bench/site-server.sh}).
 *
 * <p>With TLS on, a plain-HTTP request for a host that has a certificate ({@link HttpsHosts}) is redirected to the
 * same address over HTTPS, except ACME HTTP-01 challenges, which the CA fetches over plain HTTP.
 */
public final class SiteServer extends Handler.Abstract.NonBlocking {

    private static final Logger LOG = LoggerFactory.getLogger(SiteServer.class);

    private static final long CACHE_MAX_BYTES = 64L * 1024 * 1024;
    private static final long CACHE_MAX_FILE_BYTES = 1024L * 1024;
    private static final int CACHE_MAX_PATHS_PER_DEPLOYMENT = 20_000;
    private static final long CACHE_TTL_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final int STREAM_BUFFER_BYTES = 64 * 1024;

    private static final HttpField NOSNIFF = new PreEncodedHttpField("X-Content-Type-Options", "nosniff");
    private static final HttpField ALLOW = new PreEncodedHttpField(HttpHeader.ALLOW, "GET, HEAD");
    private static final HttpField ACCEPT_RANGES = new PreEncodedHttpField(HttpHeader.ACCEPT_RANGES, "bytes");
    private static final HttpField VARY = new PreEncodedHttpField(HttpHeader.VARY, "Accept-Encoding");
    private static final HttpField NO_CACHE = new PreEncodedHttpField(HttpHeader.CACHE_CONTROL, MediaTypes.NO_CACHE);
    private static final HttpField HTML = new PreEncodedHttpField(HttpHeader.CONTENT_TYPE, "text/html; charset=utf-8");
    private static final HttpField NO_CONTENT = new PreEncodedHttpField(HttpHeader.CONTENT_LENGTH, 0);

    private static final Page NO_SITE = new Page(HttpStatus.NOT_FOUND_404, "No site is deployed here",
            "Nothing is published at this address yet.");
    private static final Page NOT_FOUND = new Page(HttpStatus.NOT_FOUND_404, "Page not found",
            "There is no page at this address.");
    private static final Page METHOD_NOT_ALLOWED = new Page(HttpStatus.METHOD_NOT_ALLOWED_405, "Method not allowed",
            "Sites answer GET and HEAD only.");
    private static final Page BAD_REQUEST = new Page(HttpStatus.BAD_REQUEST_400, "Bad request",
            "This address cannot be served.");

    private final SiteLookup lookup;
    private final CustomDomainLookup customDomains;
    private final String domainSuffix;
    private final FileCache files;
    private final HttpsHosts httpsHosts;
    private final boolean redirectsToHttps;
    /** {@code :port} after the host in a redirect to HTTPS; empty for 443. */
    private final String httpsPortSuffix;

    /**
     * @param lookup      finds the live deployment for a host label
     * @param sitesDomain the domain sites live under, e.g. {@code localhost} for {@code my-site.localhost}
     */
    public SiteServer(SiteLookup lookup, String sitesDomain) {
        this(lookup, sitesDomain, CustomDomainLookup.NONE);
    }

    /**
     * @param customDomains the projects' active custom domains, served like their site labels
     */
    public SiteServer(SiteLookup lookup, String sitesDomain, CustomDomainLookup customDomains) {
        this(lookup, sitesDomain, customDomains, HttpsHosts.NONE, 443);
    }

    /**
     * @param httpsHosts the hosts whose plain-HTTP requests are redirected to HTTPS ({@link HttpsHosts#NONE}: none)
     * @param httpsPort  the port visitors reach HTTPS at, for those redirects
     */
    public SiteServer(SiteLookup lookup, String sitesDomain, CustomDomainLookup customDomains, HttpsHosts httpsHosts,
                      int httpsPort) {
        this.lookup = Objects.requireNonNull(lookup, "lookup");
        this.customDomains = Objects.requireNonNull(customDomains, "customDomains");
        this.httpsHosts = Objects.requireNonNull(httpsHosts, "httpsHosts");
        this.redirectsToHttps = httpsHosts != HttpsHosts.NONE;
        if (httpsPort < 1 || httpsPort > 65535) {
            throw new IllegalArgumentException("httpsPort " + httpsPort);
        }
        this.httpsPortSuffix = httpsPort == 443 ? "" : ":" + httpsPort;
        String domain = normalizeDomain(Objects.requireNonNull(sitesDomain, "sitesDomain"));
        if (domain.isEmpty()) {
            throw new IllegalArgumentException("sitesDomain is empty");
        }
        this.domainSuffix = "." + domain;
        this.files = new FileCache(CACHE_MAX_BYTES, CACHE_MAX_FILE_BYTES, CACHE_MAX_PATHS_PER_DEPLOYMENT,
                CACHE_TTL_NANOS);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String host = request.getHttpURI().getHost();
        String label = siteLabel(host);
        CustomDomainLookup.Route route = null;
        String customHost = null;
        if (label == null) {
            customHost = normalizeHost(host);
            route = customDomains.route(customHost);
            if (route == null) {
                return false;
            }
        }
        // ACME HTTP-01 answers come first on every host; AcmeChallengeHandler, behind the app's offloading, gives them
        if (AcmeChallengeHandler.isChallenge(request)) {
            return false;
        }
        if (redirectsToHttps && !request.isSecure()) {
            String secureHost = customHost != null ? customHost : label + domainSuffix;
            if (httpsHosts.covers(secureHost)) {
                redirectToHttps(request, response, callback, secureHost);
                return true;
            }
        }
        String method = request.getMethod();
        boolean head = HttpMethod.HEAD.is(method);
        if (route != null) {
            if (route.redirectHost() != null) {
                redirectToHost(request, response, callback, route.redirectHost());
                return true;
            }
            label = route.label();
        }
        long now = System.nanoTime();
        Optional<ServedSite> site = lookup.find(label);
        FileCache.Deployment deployment = site.isEmpty() ? null : files.deployment(site.get().root(), now);
        if (deployment == null) {
            sendPage(response, callback, NO_SITE, head);
        } else if (!head && !HttpMethod.GET.is(method)) {
            response.getHeaders().put(ALLOW);
            sendPage(response, callback, METHOD_NOT_ALLOWED, head);
        } else {
            String path = safePath(request);
            if (path == null) {
                sendPage(response, callback, BAD_REQUEST, head);
            } else {
                serve(request, response, callback, site.get(), deployment, path, head, now);
            }
        }
        return true;
    }

    private void serve(Request request, Response response, Callback callback, ServedSite site,
                       FileCache.Deployment deployment, String path, boolean head, long now) {
        FileCache.Target target = deployment.resolve(path, now);
        if (target instanceof StaticFile file) {
            sendFile(request, response, callback, file, HttpStatus.OK_200, null, head);
        } else if (target instanceof FileCache.DirectoryRedirect) {
            redirectToDirectory(request, response, callback, path);
        } else if (target == null && site.spaFallback() && acceptsHtml(request, path)
                && deployment.resolve("/", now) instanceof StaticFile index) {
            sendFile(request, response, callback, index, HttpStatus.OK_200, NO_CACHE, head);
        } else if (deployment.resolve("/404.html", now) instanceof StaticFile notFound) {
            sendFile(request, response, callback, notFound, HttpStatus.NOT_FOUND_404, NO_CACHE, head);
        } else {
            sendPage(response, callback, NOT_FOUND, head);
        }
    }

    private void sendFile(Request request, Response response, Callback callback, StaticFile file, int status,
                          HttpField cacheControl, boolean head) {
        HttpFields requestHeaders = request.getHeaders();
        // add, not put: nothing before this handler sets these, and put would scan the fields on every call.
        HttpFields.Mutable headers = response.getHeaders();
        boolean full = status == HttpStatus.OK_200;
        String range = full ? requestHeaders.get(HttpHeader.RANGE) : null;
        StaticFile chosen = file;
        if (file.hasEncodedVariants()) {
            headers.add(VARY);
            // Ranges address the identity bytes; mixing them with content-coding confuses caches and clients alike.
            if (range == null) {
                chosen = negotiateEncoding(file, requestHeaders.get(HttpHeader.ACCEPT_ENCODING));
            }
        }
        headers.add(NOSNIFF);
        headers.add(chosen.etagField);
        headers.add(chosen.lastModifiedField);
        headers.add(cacheControl == null ? chosen.cacheControlField : cacheControl);
        if (full && notModified(requestHeaders, chosen)) {
            response.setStatus(HttpStatus.NOT_MODIFIED_304);
            callback.succeeded();
            return;
        }
        headers.add(chosen.contentTypeField);
        if (chosen.contentEncodingField != null) {
            headers.add(chosen.contentEncodingField);
        }
        long offset = 0;
        long length = chosen.size;
        if (full && chosen.contentEncodingField == null) {
            headers.add(ACCEPT_RANGES);
        }
        ByteRange byteRange = range == null || !ifRangeHolds(requestHeaders, chosen) ? null
                : ByteRange.parse(range, chosen.size);
        if (byteRange == ByteRange.UNSATISFIABLE) {
            response.setStatus(HttpStatus.RANGE_NOT_SATISFIABLE_416);
            headers.remove(HttpHeader.CONTENT_TYPE);
            headers.add(HttpHeader.CONTENT_RANGE, "bytes */" + chosen.size);
            headers.add(NO_CONTENT);
            callback.succeeded();
            return;
        }
        if (byteRange != null) {
            offset = byteRange.first();
            length = byteRange.length();
            response.setStatus(HttpStatus.PARTIAL_CONTENT_206);
            headers.add(HttpHeader.CONTENT_RANGE,
                    "bytes " + byteRange.first() + "-" + byteRange.last() + "/" + chosen.size);
            headers.add(HttpHeader.CONTENT_LENGTH, length);
        } else {
            response.setStatus(status);
            headers.add(chosen.contentLengthField);
        }
        if (head) {
            callback.succeeded();
        } else if (chosen.content != null) {
            response.write(true, chosen.content.slice((int) offset, (int) length), callback);
        } else {
            stream(request, response, callback, chosen.path, offset, length);
        }
    }

    private static void stream(Request request, Response response, Callback callback, Path path, long offset,
                               long length) {
        Content.Source source;
        try {
            ByteBufferPool.Sized buffers = new ByteBufferPool.Sized(
                    request.getComponents().getByteBufferPool(), true, STREAM_BUFFER_BYTES);
            source = Content.Source.from(buffers, path, offset, length);
        } catch (UncheckedIOException | IllegalArgumentException e) {
            // The file vanished between lookup and now; nothing has been sent yet.
            LOG.debug("Cannot open {}", path, e);
            response.getHeaders().clear();
            sendPage(response, callback, NOT_FOUND, false);
            return;
        }
        Content.copy(source, response, callback);
    }

    private static void redirectToDirectory(Request request, Response response, Callback callback, String path) {
        String query = request.getHttpURI().getQuery();
        String location = URIUtil.encodePath(path) + "/" + (query == null ? "" : "?" + query);
        response.setStatus(HttpStatus.MOVED_PERMANENTLY_301);
        HttpFields.Mutable headers = response.getHeaders();
        headers.put(HttpHeader.LOCATION, location);
        headers.put(NO_CACHE);
        headers.put(NO_CONTENT);
        callback.succeeded();
    }

    /** A non-primary custom domain set to redirect: the same path and query on the primary, permanently. */
    private static void redirectToHost(Request request, Response response, Callback callback, String host) {
        HttpURI uri = request.getHttpURI();
        String scheme = request.isSecure() ? "https" : "http";
        int port = uri.getPort();
        String path = uri.getPath() == null || uri.getPath().isEmpty() ? "/" : uri.getPath();
        String query = uri.getQuery();
        String location = scheme + "://" + host + (port > 0 ? ":" + port : "") + path
                + (query == null ? "" : "?" + query);
        response.setStatus(HttpStatus.MOVED_PERMANENTLY_301);
        HttpFields.Mutable headers = response.getHeaders();
        headers.put(HttpHeader.LOCATION, location);
        headers.put(NO_CACHE);
        headers.put(NO_CONTENT);
        callback.succeeded();
    }

    /**
     * A plain-HTTP request for a host with a certificate: the same host, path and query over HTTPS. 301 for GET and
     * HEAD, 308 for the rest (which keeps the method and body). Not cached, so that removing the certificate takes
     * effect for visitors at once.
     */
    private void redirectToHttps(Request request, Response response, Callback callback, String host) {
        HttpURI uri = request.getHttpURI();
        String path = uri.getPath() == null || uri.getPath().isEmpty() ? "/" : uri.getPath();
        String query = uri.getQuery();
        String method = request.getMethod();
        response.setStatus(HttpMethod.GET.is(method) || HttpMethod.HEAD.is(method) ? HttpStatus.MOVED_PERMANENTLY_301
                : HttpStatus.PERMANENT_REDIRECT_308);
        HttpFields.Mutable headers = response.getHeaders();
        headers.put(HttpHeader.LOCATION, "https://" + host + httpsPortSuffix + path
                + (query == null ? "" : "?" + query));
        headers.put(NO_CACHE);
        headers.put(NO_CONTENT);
        callback.succeeded();
    }

    private static String normalizeHost(String host) {
        if (host == null || host.isEmpty()) {
            return "";
        }
        String h = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        return h.toLowerCase(Locale.ROOT);
    }

    private static void sendPage(Response response, Callback callback, Page page, boolean head) {
        response.setStatus(page.status);
        HttpFields.Mutable headers = response.getHeaders();
        headers.put(HTML);
        headers.put(NO_CACHE);
        headers.put(NOSNIFF);
        headers.put(page.contentLength);
        if (head) {
            callback.succeeded();
        } else {
            response.write(true, page.body.slice(), callback);
        }
    }

    /**
     * The label of a site host, lower case, or null when {@code host} is not {@code <label>.<sitesDomain>} with a
     * single DNS label (port already stripped by Jetty; case and a trailing dot ignored).
     */
    String siteLabel(String host) {
        if (host == null) {
            return null;
        }
        int end = host.length();
        if (end > 0 && host.charAt(end - 1) == '.') {
            end--;
        }
        int labelEnd = end - domainSuffix.length();
        if (labelEnd < 1 || labelEnd > 63 || !host.regionMatches(true, labelEnd, domainSuffix, 0,
                domainSuffix.length())) {
            return null;
        }
        if (!isAlphanumeric(host.charAt(0)) || !isAlphanumeric(host.charAt(labelEnd - 1))) {
            return null;
        }
        for (int i = 1; i < labelEnd - 1; i++) {
            char c = host.charAt(i);
            if (c != '-' && !isAlphanumeric(c)) {
                return null;
            }
        }
        return host.substring(0, labelEnd).toLowerCase(Locale.ROOT);
    }

    private static boolean isAlphanumeric(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z');
    }

    /**
     * The decoded path to look up, or null when the request must be refused. Jetty has already rejected most hostile
     * paths (with its default URI compliance, {@code ..} above the root, {@code %2e}, {@code %2f}, {@code %5c},
     * {@code %25}, NUL and empty segments never reach handlers), but the connector's compliance mode is configuration,
     * so this does not rely on it: any URI violation Jetty let through, any {@code ..} segment as sent, and anything
     * still escaped or unprintable after decoding is refused. Jetty has normalized {@code .} segments and stripped
     * {@code ;parameters}.
     */
    static String safePath(Request request) {
        HttpURI uri = request.getHttpURI();
        if (uri.hasViolations() || hasDotDotSegment(uri.getPath())) {
            return null;
        }
        String path = Request.getPathInContext(request);
        if (path == null || path.isEmpty() || path.charAt(0) != '/') {
            return null;
        }
        char previous = 0;
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            // '%' can only remain for characters Jetty would not decode (%2F, %5C, %25): never a file name for us.
            if (c < 0x20 || c == 0x7f || c == '\\' || c == '%' || (c == '/' && previous == '/')) {
                return null;
            }
            previous = c;
        }
        return hasDotDotSegment(path) ? null : path;
    }

    private static boolean hasDotDotSegment(String path) {
        if (path == null) {
            return true;
        }
        int dots = path.indexOf("..");
        while (dots >= 0) {
            boolean startsSegment = dots == 0 || path.charAt(dots - 1) == '/';
            int after = dots + 2;
            boolean endsSegment = after == path.length() || path.charAt(after) == '/' || path.charAt(after) == ';'
                    || path.charAt(after) == '?';
            if (startsSegment && endsSegment) {
                return true;
            }
            dots = path.indexOf("..", dots + 1);
        }
        return false;
    }

    private static boolean acceptsHtml(Request request, String path) {
        int lastSlash = path.lastIndexOf('/');
        if (path.indexOf('.', lastSlash + 1) < 0) {
            return true;
        }
        String accept = request.getHeaders().get(HttpHeader.ACCEPT);
        return accept != null && accept.contains("text/html");
    }

    /** Picks the precompressed sibling the client accepts, preferring brotli; identity when none fits. */
    private static StaticFile negotiateEncoding(StaticFile file, String acceptEncoding) {
        if (acceptEncoding == null) {
            return file;
        }
        if (file.brotli != null && accepts(acceptEncoding, "br")) {
            return file.brotli;
        }
        if (file.gzip != null && (accepts(acceptEncoding, "gzip") || accepts(acceptEncoding, "x-gzip"))) {
            return file.gzip;
        }
        return file;
    }

    /**
     * Whether an Accept-Encoding value allows {@code coding}: listed (or covered by {@code *}) with a non-zero q.
     */
    static boolean accepts(String acceptEncoding, String coding) {
        boolean wildcard = false;
        int start = 0;
        int length = acceptEncoding.length();
        while (start < length) {
            int comma = acceptEncoding.indexOf(',', start);
            int end = comma < 0 ? length : comma;
            int semicolon = acceptEncoding.indexOf(';', start);
            int nameEnd = semicolon >= 0 && semicolon < end ? semicolon : end;
            String name = acceptEncoding.substring(start, nameEnd).trim();
            boolean allowed = nameEnd == end || !isZeroQuality(acceptEncoding.substring(nameEnd + 1, end));
            if (name.equalsIgnoreCase(coding)) {
                return allowed;
            }
            if (name.equals("*")) {
                wildcard = allowed;
            }
            start = end + 1;
        }
        return wildcard;
    }

    private static boolean isZeroQuality(String parameters) {
        for (String parameter : parameters.split(";")) {
            String p = parameter.trim();
            if (p.length() > 2 && (p.charAt(0) == 'q' || p.charAt(0) == 'Q') && p.charAt(1) == '=') {
                try {
                    return Double.parseDouble(p.substring(2).trim()) <= 0;
                } catch (NumberFormatException e) {
                    return false;
                }
            }
        }
        return false;
    }

    /** RFC 9110 §13.2.2: If-None-Match (weak comparison) wins over If-Modified-Since. */
    private static boolean notModified(HttpFields requestHeaders, StaticFile file) {
        String ifNoneMatch = requestHeaders.get(HttpHeader.IF_NONE_MATCH);
        if (ifNoneMatch != null) {
            return matchesAny(ifNoneMatch, file.etag);
        }
        String ifModifiedSince = requestHeaders.get(HttpHeader.IF_MODIFIED_SINCE);
        if (ifModifiedSince == null) {
            return false;
        }
        if (ifModifiedSince.equals(file.lastModified)) {
            return true;
        }
        long since = HttpDateTime.parseToEpoch(ifModifiedSince);
        return since >= 0 && file.lastModifiedMillis / 1000 <= since / 1000;
    }

    private static boolean matchesAny(String ifNoneMatch, String etag) {
        int start = 0;
        int length = ifNoneMatch.length();
        while (start < length) {
            int comma = ifNoneMatch.indexOf(',', start);
            int end = comma < 0 ? length : comma;
            String candidate = ifNoneMatch.substring(start, end).trim();
            if (candidate.equals("*")) {
                return true;
            }
            if (candidate.startsWith("W/")) {
                candidate = candidate.substring(2);
            }
            if (candidate.equals(etag)) {
                return true;
            }
            start = end + 1;
        }
        return false;
    }

    /** If-Range: serve the range only while the representation is the one the client has part of. */
    private static boolean ifRangeHolds(HttpFields requestHeaders, StaticFile file) {
        String ifRange = requestHeaders.get(HttpHeader.IF_RANGE);
        if (ifRange == null) {
            return true;
        }
        String value = ifRange.trim();
        if (value.startsWith("\"") || value.startsWith("W/")) {
            return value.equals(file.etag);
        }
        long date = HttpDateTime.parseToEpoch(value);
        return date >= 0 && date / 1000 == file.lastModifiedMillis / 1000;
    }

    private static String normalizeDomain(String domain) {
        String d = domain.trim().toLowerCase(Locale.ROOT);
        while (d.startsWith(".")) {
            d = d.substring(1);
        }
        while (d.endsWith(".")) {
            d = d.substring(0, d.length() - 1);
        }
        return d;
    }

    /** A small fixed HTML answer: no stack trace, no server details. */
    private static final class Page {
        final int status;
        final ByteBuffer body;
        final HttpField contentLength;

        Page(int status, String title, String message) {
            this.status = status;
            String html = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                    + "<meta name=\"viewport\" content=\"width=device-width\"><title>" + title + "</title>"
                    + "<style>body{font-family:system-ui,sans-serif;margin:4rem auto;max-width:32rem;color:#333}"
                    + "</style></head>\n<body><h1>" + title + "</h1><p>" + message + "</p></body></html>\n";
            byte[] bytes = html.getBytes(StandardCharsets.UTF_8);
            this.body = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip().asReadOnlyBuffer();
            this.contentLength = new PreEncodedHttpField(HttpHeader.CONTENT_LENGTH, bytes.length);
        }
    }
}
