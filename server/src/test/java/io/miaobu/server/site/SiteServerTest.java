package io.miaobu.server.site;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class SiteServerTest {

    private static final String SECRET = "TOP-SECRET-7f3c91d2";
    private static final String INDEX = "<!doctype html><title>Home</title><h1>home page</h1>";
    private static final String SPA_INDEX = "<!doctype html><title>App</title><div id=app>spa shell</div>";
    private static final String SITE_404 = "<!doctype html><h1>custom not found</h1>";
    private static final String PAGE = "<!doctype html><p>" + "compressible text ".repeat(200) + "</p>";
    private static final Instant MODIFIED = Instant.parse("2025-03-04T05:06:07Z");

    @TempDir
    static Path temp;

    private static Server server;
    private static int port;
    private static int laxPort;
    private static HttpClient client;
    private static byte[] big;
    private static byte[] png;

    @BeforeAll
    static void startServer() throws Exception {
        Path sites = Files.createDirectories(temp.resolve("sites"));
        // Secrets at every level a traversal out of a site root could reach.
        Files.writeString(temp.resolve("secret"), SECRET);
        Files.writeString(sites.resolve("secret"), SECRET);
        Path outside = Files.createDirectories(temp.resolve("outside"));
        Files.writeString(outside.resolve("secret.txt"), SECRET);

        Path site = Files.createDirectories(sites.resolve("site"));
        write(site, "index.html", INDEX);
        write(site, "style.css", "body { color: teal }");
        write(site, "app.js", "console.log('app');");
        write(site, "data.json", "{\"ok\":true}");
        write(site, "logo.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>");
        write(site, "feed.xml", "<feed/>");
        write(site, "font.woff2", "wOF2");
        write(site, "module.wasm", "\0asm");
        write(site, "site.webmanifest", "{}");
        write(site, "notes.unknownext", "???");
        png = new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13};
        Files.write(site.resolve("image.png"), png);
        write(site, "docs/index.html", "<h1>docs index</h1>");
        write(site, "docs/guide.html", "<h1>guide</h1>");
        write(site, "404.html", SITE_404);
        write(site, "assets/index-4f3a9c1b.js", "export const hashed = 1;");
        write(site, "assets/main.3b7e2f9a1c.css", "h1 { color: red }");
        write(site, "assets/chunk-BxK3c9_d.js", "export const vite = 1;");
        write(site, "assets/bootstrap.min.css", ".btn {}");
        write(site, ".well-known/hidden.txt", "hidden but public");
        write(site, "page.html", PAGE);
        Files.write(site.resolve("page.html.gz"), gzip(PAGE.getBytes(StandardCharsets.UTF_8)));
        big = new byte[3 * 1024 * 1024 + 17];
        new Random(42).nextBytes(big);
        Files.write(site.resolve("big.bin"), big);
        Files.createSymbolicLink(site.resolve("leak.txt"), outside.resolve("secret.txt"));
        Files.createSymbolicLink(site.resolve("leakdir"), outside);
        Files.createSymbolicLink(site.resolve("alias.css"), site.resolve("style.css"));
        try (Stream<Path> files = Files.walk(site)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Files.setLastModifiedTime(file, FileTime.from(MODIFIED));
            }
        }

        Path spa = Files.createDirectories(sites.resolve("spa"));
        write(spa, "index.html", SPA_INDEX);
        write(spa, "app.js", "boot();");
        Path bare = Files.createDirectories(sites.resolve("bare"));
        write(bare, "readme.txt", "no index, no 404 page");

        Map<String, ServedSite> live = Map.of(
                "site", new ServedSite(site, false),
                "spa", new ServedSite(spa, true),
                "42--site", new ServedSite(spa, false),
                "bare", new ServedSite(bare, true),
                "gone", new ServedSite(sites.resolve("deleted-deployment"), false));
        SiteLookup lookup = label -> Optional.ofNullable(live.get(label));

        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        server.addConnector(connector);
        // A connector that lets every ambiguous URI through, to prove the handler does not rely on Jetty's defaults.
        HttpConfiguration lax = new HttpConfiguration();
        lax.setUriCompliance(UriCompliance.UNSAFE);
        ServerConnector laxConnector = new ServerConnector(server, new HttpConnectionFactory(lax));
        server.addConnector(laxConnector);
        server.setHandler(new Handler.Sequence(new SiteServer(lookup, "localhost"), new App()));
        server.start();
        port = connector.getLocalPort();
        laxPort = laxConnector.getLocalPort();
        client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.stop();
    }

    @Test
    void servesFileContentWithItsContentType() throws Exception {
        Map<String, String> expected = Map.ofEntries(
                Map.entry("/style.css", "text/css; charset=utf-8"),
                Map.entry("/app.js", "text/javascript; charset=utf-8"),
                Map.entry("/data.json", "application/json; charset=utf-8"),
                Map.entry("/logo.svg", "image/svg+xml; charset=utf-8"),
                Map.entry("/feed.xml", "application/xml; charset=utf-8"),
                Map.entry("/font.woff2", "font/woff2"),
                Map.entry("/module.wasm", "application/wasm"),
                Map.entry("/site.webmanifest", "application/manifest+json; charset=utf-8"),
                Map.entry("/image.png", "image/png"),
                Map.entry("/notes.unknownext", "application/octet-stream"),
                Map.entry("/docs/guide.html", "text/html; charset=utf-8"));
        for (Map.Entry<String, String> entry : expected.entrySet()) {
            HttpResponse<byte[]> response = get("site.localhost", entry.getKey());
            assertThat(response.statusCode()).as(entry.getKey()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).as(entry.getKey()).hasValue(entry.getValue());
            assertThat(response.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        }
        HttpResponse<byte[]> css = get("site.localhost", "/style.css");
        assertThat(new String(css.body(), StandardCharsets.UTF_8)).isEqualTo("body { color: teal }");
        assertThat(css.headers().firstValue("Content-Length")).hasValue("20");
        assertThat(css.headers().firstValue("Last-Modified")).hasValue("Tue, 04 Mar 2025 05:06:07 GMT");
        assertThat(css.headers().firstValue("ETag")).hasValueSatisfying(etag -> assertThat(etag).matches("\"[^\"]+\""));
        assertThat(get("site.localhost", "/image.png").body()).isEqualTo(png);
    }

    @Test
    void servesIndexHtmlForDirectories() throws Exception {
        HttpResponse<String> root = getString("site.localhost", "/");
        assertThat(root.statusCode()).isEqualTo(200);
        assertThat(root.body()).isEqualTo(INDEX);
        assertThat(root.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");

        HttpResponse<String> docs = getString("site.localhost", "/docs/");
        assertThat(docs.statusCode()).isEqualTo(200);
        assertThat(docs.body()).isEqualTo("<h1>docs index</h1>");
    }

    @Test
    void redirectsDirectoryWithoutTrailingSlashKeepingTheQuery() throws Exception {
        HttpResponse<String> response = getString("site.localhost", "/docs?lang=en&x=1");
        assertThat(response.statusCode()).isEqualTo(301);
        assertThat(response.headers().firstValue("Location")).hasValue("/docs/?lang=en&x=1");

        assertThat(getString("site.localhost", "/docs").headers().firstValue("Location")).hasValue("/docs/");
    }

    @Test
    void trailingSlashOnAFileIsNotFound() throws Exception {
        assertThat(getString("site.localhost", "/style.css/").statusCode()).isEqualTo(404);
    }

    @Test
    void servesTheSites404PageWithStatus404() throws Exception {
        HttpResponse<String> response = getString("site.localhost", "/no/such/page");
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.body()).isEqualTo(SITE_404);
        assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-cache");
        assertThat(response.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
    }

    @Test
    void servesASmallDefault404PageWhenTheSiteHasNone() throws Exception {
        HttpResponse<String> response = getString("bare.localhost", "/missing.js");
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(response.body()).contains("Page not found").doesNotContain("Jetty", "Exception", "at io.");
    }

    @Test
    void spaFallbackServesTheRootIndexForHtmlRoutes() throws Exception {
        HttpResponse<String> route = getString("spa.localhost", "/users/42/settings");
        assertThat(route.statusCode()).isEqualTo(200);
        assertThat(route.body()).isEqualTo(SPA_INDEX);
        assertThat(route.headers().firstValue("Cache-Control")).hasValue("no-cache");

        HttpResponse<String> withAccept = send(request("spa.localhost", "/report.pdf")
                .header("Accept", "text/html,application/xhtml+xml,*/*;q=0.8").build());
        assertThat(withAccept.statusCode()).isEqualTo(200);
        assertThat(withAccept.body()).isEqualTo(SPA_INDEX);
    }

    @Test
    void spaFallbackDoesNotAnswerMissingAssets() throws Exception {
        HttpResponse<String> asset = send(request("spa.localhost", "/assets/missing.js")
                .header("Accept", "*/*").build());
        assertThat(asset.statusCode()).isEqualTo(404);
        assertThat(asset.body()).doesNotContain("spa shell");
    }

    @Test
    void withoutSpaFallbackHtmlRoutesAreNotFound() throws Exception {
        HttpResponse<String> route = send(request("site.localhost", "/users/42")
                .header("Accept", "text/html").build());
        assertThat(route.statusCode()).isEqualTo(404);
        assertThat(route.body()).isEqualTo(SITE_404);
    }

    @Test
    void unknownLabelGetsANoSitePage() throws Exception {
        for (String host : List.of("nobody.localhost", "gone.localhost")) {
            HttpResponse<String> response = getString(host, "/");
            assertThat(response.statusCode()).as(host).isEqualTo(404);
            assertThat(response.body()).as(host).contains("No site is deployed here").doesNotContain("Exception");
        }
    }

    @Test
    void previewLabelsAreSites() throws Exception {
        HttpResponse<String> response = getString("42--site.localhost", "/");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(SPA_INDEX);
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost", "127.0.0.1", "example.com", "site.example.com", "a.site.localhost",
            "site.localhost.evil.com", "-site.localhost", "site-.localhost", "si_te.localhost", "site.localhostx",
            ".localhost"})
    void nonSiteHostsFallThroughToTheApp(String host) throws Exception {
        HttpResponse<String> response = getString(host, "/style.css");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("app");
    }

    @ParameterizedTest
    @ValueSource(strings = {"SITE.LocalHost", "site.localhost.", "site.localhost:8080", "Site.LOCALHOST.:1"})
    void hostMatchingIgnoresCaseTrailingDotAndPort(String host) throws Exception {
        HttpResponse<String> response = getString(host, "/style.css");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("body { color: teal }");
    }

    @Test
    void labelLongerThanADnsLabelFallsThrough() throws Exception {
        assertThat(getString("a".repeat(64) + ".localhost", "/").body()).isEqualTo("app");
    }

    @ParameterizedTest
    @ValueSource(strings = {"POST", "PUT", "DELETE", "OPTIONS", "PATCH"})
    void otherMethodsGet405WithAllow(String method) throws Exception {
        HttpResponse<String> response = send(request("site.localhost", "/style.css")
                .method(method, HttpRequest.BodyPublishers.ofString("x")).build());
        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(response.headers().firstValue("Allow")).hasValue("GET, HEAD");
    }

    @Test
    void headSendsHeadersWithoutBody() throws Exception {
        HttpResponse<byte[]> response = client.send(request("site.localhost", "/style.css")
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Length")).hasValue("20");
        assertThat(response.headers().firstValue("Content-Type")).hasValue("text/css; charset=utf-8");
        assertThat(response.body()).isEmpty();

        String raw = rawRequest(port, "HEAD /big.bin HTTP/1.1\r\nHost: site.localhost\r\nConnection: close\r\n\r\n");
        assertThat(raw).startsWith("HTTP/1.1 200").contains("Content-Length: " + big.length);
        assertThat(raw.substring(raw.indexOf("\r\n\r\n") + 4)).isEmpty();
    }

    @Test
    void matchingETagGets304() throws Exception {
        HttpResponse<String> first = getString("site.localhost", "/app.js");
        String etag = first.headers().firstValue("ETag").orElseThrow();

        HttpResponse<String> again = send(request("site.localhost", "/app.js").header("If-None-Match", etag).build());
        assertThat(again.statusCode()).isEqualTo(304);
        assertThat(again.body()).isEmpty();
        assertThat(again.headers().firstValue("ETag")).hasValue(etag);

        HttpResponse<String> inList = send(request("site.localhost", "/app.js")
                .header("If-None-Match", "\"other\", W/" + etag).build());
        assertThat(inList.statusCode()).isEqualTo(304);

        HttpResponse<String> stale = send(request("site.localhost", "/app.js")
                .header("If-None-Match", "\"other\"")
                .header("If-Modified-Since", "Tue, 04 Mar 2025 05:06:07 GMT").build());
        assertThat(stale.statusCode()).as("If-None-Match wins over If-Modified-Since").isEqualTo(200);
    }

    @Test
    void ifModifiedSinceGets304UnlessModifiedLater() throws Exception {
        HttpResponse<String> same = send(request("site.localhost", "/app.js")
                .header("If-Modified-Since", "Tue, 04 Mar 2025 05:06:07 GMT").build());
        assertThat(same.statusCode()).isEqualTo(304);
        HttpResponse<String> later = send(request("site.localhost", "/app.js")
                .header("If-Modified-Since", "Wed, 05 Mar 2025 00:00:00 GMT").build());
        assertThat(later.statusCode()).isEqualTo(304);
        HttpResponse<String> earlier = send(request("site.localhost", "/app.js")
                .header("If-Modified-Since", "Mon, 03 Mar 2025 00:00:00 GMT").build());
        assertThat(earlier.statusCode()).isEqualTo(200);
        assertThat(earlier.body()).isEqualTo("console.log('app');");
    }

    @Test
    void etagChangesWhenTheFileChanges() throws Exception {
        Path root = temp.resolve("sites/site");
        write(root, "changing.txt", "one");
        String before = getString("site.localhost", "/changing.txt").headers().firstValue("ETag").orElseThrow();
        Path replacement = write(root, "changing.tmp", "two, longer");
        Files.move(replacement, root.resolve("changing.txt"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        HttpResponse<String> after = getString("site.localhost", "/changing.txt");
        while (!after.body().equals("two, longer") && System.nanoTime() < deadline) {
            Thread.onSpinWait();
            after = getString("site.localhost", "/changing.txt");
        }
        assertThat(after.body()).isEqualTo("two, longer");
        assertThat(after.headers().firstValue("ETag")).isPresent().get().isNotEqualTo(before);
    }

    @Test
    void singleRangeGets206() throws Exception {
        HttpResponse<String> response = send(request("site.localhost", "/style.css")
                .header("Range", "bytes=5-9").build());
        assertThat(response.statusCode()).isEqualTo(206);
        assertThat(response.body()).isEqualTo("{ col");
        assertThat(response.headers().firstValue("Content-Range")).hasValue("bytes 5-9/20");
        assertThat(response.headers().firstValue("Content-Length")).hasValue("5");

        HttpResponse<String> suffix = send(request("site.localhost", "/style.css")
                .header("Range", "bytes=-4").build());
        assertThat(suffix.statusCode()).isEqualTo(206);
        assertThat(suffix.body()).isEqualTo("al }");

        HttpResponse<String> open = send(request("site.localhost", "/style.css")
                .header("Range", "bytes=16-").build());
        assertThat(open.body()).isEqualTo("al }");
        assertThat(open.headers().firstValue("Content-Range")).hasValue("bytes 16-19/20");
    }

    @Test
    void rangeOfALargeStreamedFileGets206() throws Exception {
        int first = 2 * 1024 * 1024 + 3;
        int last = big.length - 2;
        HttpResponse<byte[]> response = client.send(request("site.localhost", "/big.bin")
                .header("Range", "bytes=" + first + "-" + last).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).isEqualTo(206);
        assertThat(response.body()).isEqualTo(Arrays.copyOfRange(big, first, last + 1));
    }

    @Test
    void largeFilesAreStreamedWhole() throws Exception {
        HttpResponse<byte[]> response = get("site.localhost", "/big.bin");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Length")).hasValue(String.valueOf(big.length));
        assertThat(response.body()).isEqualTo(big);
    }

    @Test
    void unsatisfiableRangeGets416() throws Exception {
        HttpResponse<String> response = send(request("site.localhost", "/style.css")
                .header("Range", "bytes=100-200").build());
        assertThat(response.statusCode()).isEqualTo(416);
        assertThat(response.headers().firstValue("Content-Range")).hasValue("bytes */20");
        assertThat(response.body()).isEmpty();
    }

    @Test
    void multipleOrMalformedRangesGetTheWholeFile() throws Exception {
        for (String range : List.of("bytes=0-1,5-6", "bytes=abc", "items=0-1", "bytes=5-2")) {
            HttpResponse<String> response = send(request("site.localhost", "/style.css").header("Range", range).build());
            assertThat(response.statusCode()).as(range).isEqualTo(200);
            assertThat(response.body()).as(range).isEqualTo("body { color: teal }");
        }
    }

    @Test
    void staleIfRangeGetsTheWholeFile() throws Exception {
        HttpResponse<String> response = send(request("site.localhost", "/style.css")
                .header("Range", "bytes=0-3").header("If-Range", "\"not-the-etag\"").build());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).hasSize(20);
    }

    @Test
    void servesPrecompressedGzipWhenAccepted() throws Exception {
        HttpResponse<byte[]> gzipped = client.send(request("site.localhost", "/page.html")
                .header("Accept-Encoding", "gzip, deflate").build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(gzipped.statusCode()).isEqualTo(200);
        assertThat(gzipped.headers().firstValue("Content-Encoding")).hasValue("gzip");
        assertThat(gzipped.headers().firstValue("Vary")).hasValue("Accept-Encoding");
        assertThat(gzipped.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(new String(gunzip(gzipped.body()), StandardCharsets.UTF_8)).isEqualTo(PAGE);
        String gzipEtag = gzipped.headers().firstValue("ETag").orElseThrow();

        HttpResponse<String> plain = send(request("site.localhost", "/page.html")
                .header("Accept-Encoding", "br, gzip;q=0").build());
        assertThat(plain.headers().firstValue("Content-Encoding")).isEmpty();
        assertThat(plain.headers().firstValue("Vary")).hasValue("Accept-Encoding");
        assertThat(plain.body()).isEqualTo(PAGE);
        assertThat(plain.headers().firstValue("ETag")).isPresent().get().isNotEqualTo(gzipEtag);
    }

    @Test
    void cacheControlDependsOnTheKindOfFile() throws Exception {
        String immutable = "public, max-age=31536000, immutable";
        String revalidate = "public, max-age=0, must-revalidate";
        Map<String, String> expected = Map.of(
                "/assets/index-4f3a9c1b.js", immutable,
                "/assets/main.3b7e2f9a1c.css", immutable,
                "/assets/chunk-BxK3c9_d.js", immutable,
                "/assets/bootstrap.min.css", revalidate,
                "/style.css", revalidate,
                "/", "no-cache",
                "/docs/guide.html", "no-cache");
        for (Map.Entry<String, String> entry : expected.entrySet()) {
            assertThat(getString("site.localhost", entry.getKey()).headers().firstValue("Cache-Control"))
                    .as(entry.getKey()).hasValue(entry.getValue());
        }
    }

    @Test
    void hiddenFilesInsideTheRootAreServed() throws Exception {
        HttpResponse<String> response = getString("site.localhost", "/.well-known/hidden.txt");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("hidden but public");
    }

    @Test
    void symlinksInsideTheRootAreFollowed() throws Exception {
        HttpResponse<String> response = getString("site.localhost", "/alias.css");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("body { color: teal }");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/leak.txt", "/leakdir/secret.txt", "/leakdir/", "/leakdir"})
    void symlinkPointingOutsideTheRootIsRefusedWith404(String path) throws Exception {
        for (int p : new int[] {port, laxPort}) {
            String response = rawRequest(p, "GET " + path + " HTTP/1.1\r\nHost: site.localhost\r\n"
                    + "Accept: text/html\r\nConnection: close\r\n\r\n");
            assertThat(response).startsWith("HTTP/1.1 404").doesNotContain(SECRET);
        }
        HttpResponse<String> spa = getString("site.localhost", path);
        assertThat(spa.statusCode()).isEqualTo(404);
        assertThat(spa.body()).doesNotContain(SECRET);
    }

    static Stream<Arguments> traversals() {
        return Stream.of("/../secret", "/%2e%2e/secret", "/%2E%2E%2Fsecret", "/..%2fsecret", "/..%5csecret",
                        "/a/../../secret", "/%00", "/%00/../secret", "/%252e%252e/secret", "/%252e%252e%252fsecret",
                        "/../../secret", "/..\\secret", "/.%2e/secret", "/%2e%2e%2f%2e%2e%2fsecret", "/..;/secret",
                        "/docs/..%2f..%2fsecret", "/%c0%ae%c0%ae/secret", "/..%00/secret", "//../secret",
                        "/leak.txt/..%2f..%2fsecret", "/./../secret", "/docs/%2e%2e/%2e%2e/secret", "/..",
                        "/a/..", "/docs/../index.html")
                .flatMap(path -> Stream.of(Arguments.of(path, "strict"), Arguments.of(path, "lax")));
    }

    @ParameterizedTest(name = "{0} ({1} URI compliance)")
    @MethodSource("traversals")
    void pathTraversalIsRefused(String path, String compliance) throws Exception {
        int p = compliance.equals("strict") ? port : laxPort;
        String response = rawRequest(p, "GET " + path + " HTTP/1.1\r\nHost: site.localhost\r\nConnection: close\r\n\r\n");
        assertThat(response).doesNotContain(SECRET);
        assertThat(response).matches("(?s)HTTP/1\\.1 4\\d\\d .*");
    }

    @Test
    void nothingOutsideTheRootLeaksThroughAnySiteLabel() throws Exception {
        for (String host : List.of("site.localhost", "spa.localhost", "bare.localhost")) {
            for (String path : List.of("/../secret", "/..%2fsecret", "/leak.txt", "/%2e%2e/%2e%2e/secret")) {
                for (int p : new int[] {port, laxPort}) {
                    String response = rawRequest(p, "GET " + path + " HTTP/1.1\r\nHost: " + host
                            + "\r\nAccept: text/html\r\nConnection: close\r\n\r\n");
                    assertThat(response).as(host + path).doesNotContain(SECRET);
                }
            }
        }
    }

    @Test
    void keepAliveConnectionServesManyRequests() throws Exception {
        StringBuilder requests = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            requests.append("GET /app.js HTTP/1.1\r\nHost: site.localhost\r\n\r\n");
        }
        requests.append("GET /style.css HTTP/1.1\r\nHost: site.localhost\r\nConnection: close\r\n\r\n");
        String responses = rawRequest(port, requests.toString());
        assertThat(responses.split("HTTP/1.1 200 OK", -1)).hasSize(22);
        assertThat(responses).endsWith("body { color: teal }");
    }

    private static Path write(Path root, String relative, String content) throws IOException {
        Path file = root.resolve(relative);
        Files.createDirectories(file.getParent());
        return Files.writeString(file, content);
    }

    private static HttpRequest.Builder request(String host, String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Host", host)
                .timeout(Duration.ofSeconds(10));
    }

    private static HttpResponse<byte[]> get(String host, String path) throws Exception {
        return client.send(request(host, path).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static HttpResponse<String> getString(String host, String path) throws Exception {
        return send(request(host, path).build());
    }

    private static HttpResponse<String> send(HttpRequest request) throws Exception {
        return client.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    /** Sends bytes exactly as given (no client normalises the path) and reads until the server closes. */
    private static String rawRequest(int port, String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(data);
        }
        return bytes.toByteArray();
    }

    private static byte[] gunzip(byte[] data) throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(data))) {
            return in.readAllBytes();
        }
    }

    /** Stands in for the Miaobu app behind the site server. */
    private static final class App extends Handler.Abstract {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            response.setStatus(200);
            Content.Sink.write(response, true, "app", callback);
            return true;
        }
    }
}
