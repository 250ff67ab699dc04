package io.miaobu.server.site;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.ForwardedRequestCustomizer;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SiteServerHttpsRedirectTest {

    private static final Set<String> COVERED = Set.of("site.localhost", "www.example.com", "old.example.com");

    @TempDir
    Path temp;

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private SiteLookup lookup;
    private CustomDomainLookup domains;
    private Server server;
    private int port;
    /** A connector that believes X-Forwarded-Proto, as one behind a TLS-terminating proxy does. */
    private int forwardedPort;

    @BeforeEach
    void makeSites() throws Exception {
        Path site = Files.createDirectories(temp.resolve("site"));
        Files.writeString(site.resolve("index.html"), "<h1>home</h1>");
        lookup = label -> label.equals("site") || label.equals("plain") ? Optional.of(new ServedSite(site, false))
                : Optional.empty();
        Map<String, CustomDomainLookup.Route> routes = Map.of(
                "www.example.com", CustomDomainLookup.Route.serve("site"),
                "plain.example.com", CustomDomainLookup.Route.serve("site"),
                "old.example.com", CustomDomainLookup.Route.redirect("www.example.com"));
        domains = routes::get;
    }

    @AfterEach
    void stopServer() throws Exception {
        if (server != null) {
            server.stop();
        }
    }

    @Test
    void sendsGetAndHeadTo301AndOtherMethodsTo308OnTheSameHostPathAndQuery() throws Exception {
        start(new SiteServer(lookup, "localhost", domains, COVERED::contains, 8443));

        for (String method : new String[] {"GET", "HEAD"}) {
            var response = send(method, "Site.Localhost.", "/docs/a%20b.html?x=1&y=%2F");
            assertThat(response.statusCode()).as(method).isEqualTo(301);
            assertThat(response.headers().firstValue("Location")).as(method)
                    .hasValue("https://site.localhost:8443/docs/a%20b.html?x=1&y=%2F");
            assertThat(response.headers().firstValue("Cache-Control")).as(method).hasValue(MediaTypes.NO_CACHE);
        }
        for (String method : new String[] {"POST", "PUT", "DELETE"}) {
            var response = send(method, "www.example.com", "/form");
            assertThat(response.statusCode()).as(method).isEqualTo(308);
            assertThat(response.headers().firstValue("Location")).as(method)
                    .hasValue("https://www.example.com:8443/form");
        }
        assertThat(send("GET", "www.example.com", "").headers().firstValue("Location"))
                .hasValue("https://www.example.com:8443/");
    }

    @Test
    void leavesPort443OutOfTheLocation() throws Exception {
        start(new SiteServer(lookup, "localhost", domains, COVERED::contains, 443));

        assertThat(send("GET", "site.localhost", "/a?b").headers().firstValue("Location"))
                .hasValue("https://site.localhost/a?b");
    }

    @Test
    void movesToHttpsOnTheSameHostBeforeRedirectingToThePrimaryDomain() throws Exception {
        start(new SiteServer(lookup, "localhost", domains, COVERED::contains, 443));

        assertThat(send("GET", "old.example.com", "/p").headers().firstValue("Location"))
                .hasValue("https://old.example.com/p");
        var overHttps = send("GET", "old.example.com", "/p", forwardedPort);
        assertThat(overHttps.statusCode()).isEqualTo(301);
        assertThat(overHttps.headers().firstValue("Location"))
                .hasValue("https://www.example.com:" + forwardedPort + "/p");
    }

    @Test
    void servesHostsWithoutACertificateAndRequestsThatCameOverHttps() throws Exception {
        start(new SiteServer(lookup, "localhost", domains, COVERED::contains, 8443));

        for (String host : new String[] {"plain.localhost", "plain.example.com"}) {
            var response = send("GET", host, "/");
            assertThat(response.statusCode()).as(host).isEqualTo(200);
            assertThat(response.body()).as(host).isEqualTo("<h1>home</h1>");
        }
        var overHttps = send("GET", "site.localhost", "/", forwardedPort);
        assertThat(overHttps.statusCode()).isEqualTo(200);
        assertThat(overHttps.body()).isEqualTo("<h1>home</h1>");
    }

    @Test
    void neverRedirectsAcmeChallenges() throws Exception {
        start(new SiteServer(lookup, "localhost", domains, COVERED::contains, 8443));

        for (String host : new String[] {"site.localhost", "www.example.com"}) {
            var response = send("GET", host, "/.well-known/acme-challenge/token-1");
            assertThat(response.statusCode()).as(host).isEqualTo(200);
            assertThat(response.body()).as(host).isEqualTo("app");
        }
    }

    @Test
    void redirectsNothingWithoutHttpsHosts() throws Exception {
        start(new SiteServer(lookup, "localhost", domains));

        assertThat(send("GET", "site.localhost", "/").statusCode()).isEqualTo(200);
        assertThat(send("POST", "www.example.com", "/").statusCode()).isEqualTo(405);
    }

    private void start(SiteServer siteServer) throws Exception {
        server = new Server();
        var connector = new ServerConnector(server);
        var forwarded = new HttpConfiguration();
        forwarded.addCustomizer(new ForwardedRequestCustomizer());
        var forwardedConnector = new ServerConnector(server, new HttpConnectionFactory(forwarded));
        server.addConnector(connector);
        server.addConnector(forwardedConnector);
        server.setHandler(new Handler.Sequence(siteServer, new App()));
        server.start();
        port = connector.getLocalPort();
        forwardedPort = forwardedConnector.getLocalPort();
    }

    private HttpResponse<String> send(String method, String host, String path) throws Exception {
        return send(method, host, path, port);
    }

    private HttpResponse<String> send(String method, String host, String path, int toPort) throws Exception {
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + toPort + path))
                .header("Host", host + ":" + toPort)
                .method(method, method.equals("POST") || method.equals("PUT")
                        ? HttpRequest.BodyPublishers.ofString("a=1") : HttpRequest.BodyPublishers.noBody())
                .timeout(Duration.ofSeconds(10));
        if (toPort == forwardedPort) {
            request.header("X-Forwarded-Proto", "https");
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Stands in for the Miaobu app (and its ACME challenge handler) behind the site server. */
    private static final class App extends Handler.Abstract {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            response.setStatus(200);
            Content.Sink.write(response, true, "app", callback);
            return true;
        }
    }
}
