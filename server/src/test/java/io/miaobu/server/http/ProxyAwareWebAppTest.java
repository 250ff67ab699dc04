package io.miaobu.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.miaobu.server.auth.CsrfTokens;
import io.miaobu.server.ratelimit.ClientAddress;
import io.miaobu.server.ratelimit.LocalRateLimits;
import io.miaobu.server.ratelimit.MutableClock;
import io.miaobu.server.ratelimit.RateLimitFilter;
import io.miaobu.server.ratelimit.RateLimitPolicies;
import io.miaobu.server.ratelimit.RateLimited;
import io.miaobu.server.ratelimit.RateLimiter;
import io.miaobu.server.web.ErrorMapper;
import io.miaobu.server.web.JsonMapper;
import io.miaobu.server.web.PageRenderer;
import io.miaobu.server.web.SecurityHeadersFilter;
import io.miaobu.server.web.ThemeManager;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.glassfish.jersey.jackson.JacksonFeature;
import org.glassfish.jersey.jetty.JettyHttpContainer;
import org.glassfish.jersey.server.ContainerFactory;
import org.glassfish.jersey.server.ContainerRequest;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.ServerProperties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The request edge as a browser or proxy meets it: real Jetty connectors with {@link TrustedProxyCustomizer}, the
 * Jersey app with the rate limit, HTTPS, CORS and security header filters, driven over HTTP.
 */
class ProxyAwareWebAppTest {

    private static final MutableClock CLOCK = new MutableClock();
    private static final String ALLOWED_ORIGIN = "https://app.example.com";

    private static WebApp plain;
    private static WebApp https;
    private static HttpClient client;

    @BeforeAll
    static void start() throws Exception {
        plain = WebApp.start(URI.create("http://localhost:8080/"));
        https = WebApp.start(URI.create("https://miaobu.example.com/"));
        client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    static void stop() throws Exception {
        plain.server.stop();
        https.server.stop();
    }

    @Nested
    class ForwardedHeaders {

        @Test
        void fromAnUntrustedPeerAreIgnored() throws Exception {
            HttpResponse<String> response = send(get(plain.untrustingPort, "/api/echo")
                    .header("X-Forwarded-For", "198.51.100.1")
                    .header("X-Forwarded-Proto", "https")
                    .header("X-Forwarded-Host", "evil.example")
                    .header("Forwarded", "for=198.51.100.2;proto=https;host=evil.example"));

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(echo(response)).containsEntry("address", "127.0.0.1")
                    .containsEntry("scheme", "http")
                    .containsEntry("secure", false)
                    .containsEntry("host", "127.0.0.1");
        }

        @Test
        void fromATrustedProxyGiveTheClientSchemeAndHost() throws Exception {
            HttpResponse<String> response = send(get(plain.trustingPort, "/api/echo")
                    .header("X-Forwarded-For", "203.0.113.7")
                    .header("X-Forwarded-Proto", "https")
                    .header("X-Forwarded-Host", "miaobu.example.com"));

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(echo(response)).containsEntry("address", "203.0.113.7")
                    .containsEntry("scheme", "https")
                    .containsEntry("secure", true)
                    .containsEntry("host", "miaobu.example.com");
        }

        @Test
        void theClientCannotSpoofItsAddressThroughATrustedProxy() throws Exception {
            // Jetty's own ForwardedRequestCustomizer would answer 6.6.6.6, the left-most entry, which the client wrote.
            assertThat(addressSeenFor("X-Forwarded-For", "6.6.6.6, 203.0.113.8")).isEqualTo("203.0.113.8");
        }

        @Test
        void trustedHopsAreSkippedFromTheRight() throws Exception {
            assertThat(addressSeenFor("X-Forwarded-For", "6.6.6.6, 203.0.113.9, 10.1.2.3, 10.9.8.7"))
                    .isEqualTo("203.0.113.9");
            assertThat(addressSeenFor("X-Forwarded-For", "10.1.2.3, 10.9.8.7")).as("every hop trusted")
                    .isEqualTo("10.1.2.3");
        }

        @Test
        void severalHeaderLinesAreOneList() throws Exception {
            HttpResponse<String> response = send(get(plain.trustingPort, "/api/echo")
                    .header("X-Forwarded-For", "6.6.6.6")
                    .header("X-Forwarded-For", "203.0.113.10"));

            assertThat(echo(response)).containsEntry("address", "203.0.113.10");
        }

        @Test
        void rfc7239ForwardedIsReadTheSameWay() throws Exception {
            HttpResponse<String> response = send(get(plain.trustingPort, "/api/echo")
                    .header("Forwarded", "for=6.6.6.6;proto=https;host=miaobu.example.com,"
                            + " for=\"[2001:db8::7]:4711\""));

            assertThat(echo(response)).containsEntry("address", "2001:db8:0:0:0:0:0:7")
                    .containsEntry("scheme", "https")
                    .containsEntry("host", "miaobu.example.com");
        }

        @Test
        void aHopThatIsNotAnAddressLeavesTheProxyAsTheClient() throws Exception {
            assertThat(addressSeenFor("X-Forwarded-For", "203.0.113.11, unknown")).isEqualTo("127.0.0.1");
            assertThat(addressSeenFor("X-Forwarded-For", "[2001:db8::8]:1234")).as("IPv6 as Java writes it")
                    .isEqualTo("2001:db8:0:0:0:0:0:8");
        }

        private String addressSeenFor(String header, String value) throws Exception {
            HttpResponse<String> response = send(get(plain.trustingPort, "/api/echo").header(header, value));
            assertThat(response.statusCode()).isEqualTo(200);
            return (String) echo(response).get("address");
        }
    }

    @Nested
    class Limits {

        @Test
        void refusesWith429AndRetryAfterUntilTheBucketRefills() throws Exception {
            for (int i = 0; i < 3; i++) {
                assertThat(send(limited("198.51.100.20")).statusCode()).isEqualTo(200);
            }

            HttpResponse<String> refused = send(limited("198.51.100.20"));

            assertThat(refused.statusCode()).isEqualTo(429);
            assertThat(refused.headers().firstValue("Retry-After")).hasValue("20");
            assertThat(refused.headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("application/json"));
            assertThat(refused.body()).contains("\"code\":\"rate_limited\"", "Try again in 20 seconds");
            assertThat(send(limited("198.51.100.21")).statusCode()).as("another client").isEqualTo(200);

            CLOCK.advance(Duration.ofSeconds(20));

            assertThat(send(limited("198.51.100.20")).statusCode()).isEqualTo(200);
            assertThat(send(limited("198.51.100.20")).statusCode()).isEqualTo(429);
        }

        @Test
        void pagesGetTheErrorPageWithRetryAfter() throws Exception {
            for (int i = 0; i < 3; i++) {
                assertThat(send(get(plain.trustingPort, "/limited-page").header("X-Forwarded-For", "198.51.100.30"))
                        .statusCode()).isEqualTo(200);
            }

            HttpResponse<String> refused = send(get(plain.trustingPort, "/limited-page")
                    .header("X-Forwarded-For", "198.51.100.30"));

            assertThat(refused.statusCode()).isEqualTo(429);
            assertThat(refused.headers().firstValue("Retry-After")).hasValue("20");
            assertThat(refused.headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("text/html"));
            assertThat(refused.body()).contains("Try again in 20 seconds");
        }

        @Test
        void theMethodsPolicyWinsOverTheClasss() throws Exception {
            // class: webhook, 2/1m; method: deploy, 1/1m
            assertThat(send(get(plain.trustingPort, "/api/hooks").header("X-Forwarded-For", "198.51.100.40"))
                    .statusCode()).isEqualTo(200);
            assertThat(send(get(plain.trustingPort, "/api/hooks").header("X-Forwarded-For", "198.51.100.40"))
                    .statusCode()).isEqualTo(200);
            assertThat(send(get(plain.trustingPort, "/api/hooks").header("X-Forwarded-For", "198.51.100.40"))
                    .statusCode()).isEqualTo(429);

            assertThat(send(get(plain.trustingPort, "/api/hooks/deploy").header("X-Forwarded-For", "198.51.100.41"))
                    .statusCode()).isEqualTo(200);
            assertThat(send(get(plain.trustingPort, "/api/hooks/deploy").header("X-Forwarded-For", "198.51.100.41"))
                    .statusCode()).isEqualTo(429);
        }

        @Test
        void theGlobalLimitCoversEveryRoute() throws Exception {
            // global is 600/1m: the 601st request in the same instant from one address is refused, on any route
            String address = "198.51.100.50";
            int allowed = 0;
            HttpResponse<String> last = null;
            for (int i = 0; i < 601 && (last == null || last.statusCode() == 200); i++) {
                last = send(get(plain.trustingPort, i % 2 == 0 ? "/api/echo" : "/page")
                        .header("X-Forwarded-For", address));
                allowed += last.statusCode() == 200 ? 1 : 0;
            }

            assertThat(allowed).isEqualTo(600);
            assertThat(last.statusCode()).isEqualTo(429);
            assertThat(last.headers().firstValue("Retry-After")).hasValue("1");
        }

        private HttpRequest.Builder limited(String address) {
            return get(plain.trustingPort, "/api/limited").header("X-Forwarded-For", address);
        }
    }

    @Nested
    class Https {

        @Test
        void plainHttpIsRedirectedToThePublicOriginWith308() throws Exception {
            HttpResponse<String> response = send(get(https.untrustingPort, "/projects/7?tab=logs&q=a%20b"));

            assertThat(response.statusCode()).isEqualTo(308);
            assertThat(response.headers().firstValue("Location"))
                    .hasValue("https://miaobu.example.com/projects/7?tab=logs&q=a%20b");
        }

        @Test
        void aPostIsRedirectedWith308SoItStaysAPost() throws Exception {
            HttpResponse<String> response = send(request(https.untrustingPort, "/api/echo")
                    .POST(HttpRequest.BodyPublishers.ofString("{}")));

            assertThat(response.statusCode()).isEqualTo(308);
            assertThat(response.headers().firstValue("Location")).hasValue("https://miaobu.example.com/api/echo");
        }

        @Test
        void httpsAtATrustedProxyIsServedWithHsts() throws Exception {
            HttpResponse<String> response = send(get(https.trustingPort, "/api/echo")
                    .header("X-Forwarded-Proto", "https"));

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Strict-Transport-Security")).hasValue("max-age=31536000");
        }

        @Test
        void httpsClaimedByAnUntrustedPeerIsStillRedirected() throws Exception {
            HttpResponse<String> response = send(get(https.untrustingPort, "/api/echo")
                    .header("X-Forwarded-Proto", "https"));

            assertThat(response.statusCode()).isEqualTo(308);
        }

        @Test
        void healthProbesAnswerOverPlainHttpWithoutHsts() throws Exception {
            for (String probe : List.of("/health/live", "/health/ready")) {
                HttpResponse<String> response = send(get(https.untrustingPort, probe));

                assertThat(response.statusCode()).as(probe).isEqualTo(200);
                assertThat(response.headers().firstValue("Strict-Transport-Security")).as(probe).isEmpty();
            }
        }

        @Test
        void anHttpPublicUrlRedirectsNothingAndSendsNoHsts() throws Exception {
            HttpResponse<String> response = send(get(plain.untrustingPort, "/api/echo"));

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Strict-Transport-Security")).isEmpty();
            assertThat(response.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        }
    }

    @Nested
    class Cors {

        @Test
        void aPreflightFromAnAllowedOriginIsAnswered() throws Exception {
            HttpResponse<String> response = send(preflight("/api/echo", ALLOWED_ORIGIN));

            assertThat(response.statusCode()).isEqualTo(204);
            assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).hasValue(ALLOWED_ORIGIN);
            assertThat(response.headers().firstValue("Access-Control-Allow-Methods"))
                    .hasValue("GET, POST, PUT, PATCH, DELETE");
            assertThat(response.headers().firstValue("Access-Control-Allow-Headers"))
                    .hasValue("Authorization, Content-Type, X-CSRF-Token");
            assertThat(response.headers().firstValue("Access-Control-Max-Age")).hasValue("600");
            assertThat(response.headers().allValues("Vary")).containsExactly("Origin");
            assertThat(response.headers().firstValue("Access-Control-Allow-Credentials")).isEmpty();
        }

        @Test
        void aPreflightFromAnotherOriginIsRefused() throws Exception {
            HttpResponse<String> response = send(preflight("/api/echo", "https://evil.example"));

            assertThat(response.statusCode()).isEqualTo(403);
            assertThat(response.body()).contains("\"code\":\"forbidden\"");
            assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        }

        @Test
        void actualRequestsFromAnAllowedOriginMayReadTheAnswer() throws Exception {
            HttpResponse<String> response = send(get(plain.untrustingPort, "/api/echo")
                    .header("Origin", ALLOWED_ORIGIN));

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).hasValue(ALLOWED_ORIGIN);
            assertThat(response.headers().allValues("Vary")).containsExactly("Origin");
            assertThat(response.headers().firstValue("Access-Control-Allow-Credentials")).isEmpty();
        }

        @Test
        void actualRequestsFromOtherOriginsGetNoCorsHeaders() throws Exception {
            HttpResponse<String> response = send(get(plain.untrustingPort, "/api/echo")
                    .header("Origin", "https://evil.example"));

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().map().keySet())
                    .noneMatch(name -> name.toLowerCase(Locale.ROOT).startsWith("access-control-"));
        }

        @Test
        void pagesAreNotOpenedToOtherOrigins() throws Exception {
            HttpResponse<String> preflight = send(preflight("/page", ALLOWED_ORIGIN));
            HttpResponse<String> page = send(get(plain.untrustingPort, "/page").header("Origin", ALLOWED_ORIGIN));

            assertThat(preflight.statusCode()).isNotEqualTo(204);
            assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
            assertThat(page.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        }

        private HttpRequest.Builder preflight(String path, String origin) {
            return request(plain.untrustingPort, path)
                    .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                    .header("Origin", origin)
                    .header("Access-Control-Request-Method", "POST")
                    .header("Access-Control-Request-Headers", "authorization, content-type");
        }
    }

    private static HttpRequest.Builder request(int port, String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(20));
    }

    private static HttpRequest.Builder get(int port, String path) {
        return request(port, path).GET();
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> echo(HttpResponse<String> response) throws Exception {
        return new JsonMapper().mapper().readValue(response.body(), Map.class);
    }

    /** A Jetty server like Miaobu's: one connector behind a trusted proxy (127.0.0.1), one for direct clients. */
    private record WebApp(Server server, int trustingPort, int untrustingPort) {

        static WebApp start(URI publicUrl) throws Exception {
            var server = new Server();
            ServerConnector trusting = connector(server, AddressRanges.parse("127.0.0.1, 10.0.0.0/8"));
            ServerConnector untrusting = connector(server, AddressRanges.parse("10.0.0.0/8, ::1"));
            var themes = new ThemeManager("base", ProxyAwareWebAppTest.class.getClassLoader());
            var pages = new PageRenderer(themes, new CsrfTokens(new byte[32]), "test", "localhost", false);
            var limiter = new RateLimiter(new LocalRateLimits(CLOCK), RateLimitPolicies.fromConfig(Map.of(
                    "ratelimit.login", "3/1m", "ratelimit.webhook", "2/1m", "ratelimit.deploy", "1/1m")));
            var resources = new ResourceConfig()
                    .property(ServerProperties.WADL_FEATURE_DISABLE, true)
                    .property(ServerProperties.FEATURE_AUTO_DISCOVERY_DISABLE, true)
                    .property(ServerProperties.METAINF_SERVICES_LOOKUP_DISABLE, true)
                    .property(ServerProperties.RESPONSE_SET_STATUS_OVER_SEND_ERROR, true)
                    .register(JacksonFeature.withoutExceptionMappers())
                    .register(new JsonMapper())
                    .register(new ClientAddress())
                    .register(new RateLimitFilter(limiter))
                    .register(new HttpsEnforcementFilter(publicUrl))
                    .register(new CorsFilter(List.of(ALLOWED_ORIGIN)))
                    .register(new SecurityHeadersFilter())
                    .register(new ErrorMapper(pages))
                    .register(new EchoResource())
                    .register(new HooksResource());
            server.setHandler(ContainerFactory.createContainer(JettyHttpContainer.class, resources));
            server.start();
            return new WebApp(server, trusting.getLocalPort(), untrusting.getLocalPort());
        }

        private static ServerConnector connector(Server server, AddressRanges proxies) {
            var http = new HttpConfiguration();
            http.addCustomizer(new TrustedProxyCustomizer(proxies));
            var connector = new ServerConnector(server, new HttpConnectionFactory(http));
            connector.setHost("127.0.0.1");
            server.addConnector(connector);
            return connector;
        }
    }

    /** Echoes what the app believes about the request. */
    @Path("")
    public static final class EchoResource {

        @GET
        @Path("api/echo")
        @Produces(MediaType.APPLICATION_JSON)
        public Map<String, Object> echo(@Context ContainerRequest request) {
            URI uri = request.getUriInfo().getRequestUri();
            return Map.of("address", ClientAddress.of(request), "scheme", uri.getScheme(),
                    "secure", request.getSecurityContext().isSecure(), "host", uri.getHost());
        }

        @POST
        @Path("api/echo")
        @Produces(MediaType.APPLICATION_JSON)
        public Map<String, Object> post(@Context ContainerRequest request) {
            return echo(request);
        }

        @GET
        @Path("api/limited")
        @RateLimited("login")
        @Produces(MediaType.APPLICATION_JSON)
        public Map<String, Object> limited(@Context ContainerRequest request) {
            return echo(request);
        }

        @GET
        @Path("page")
        @Produces(MediaType.TEXT_HTML)
        public String page() {
            return "<p>a page</p>";
        }

        @GET
        @Path("limited-page")
        @RateLimited("login")
        @Produces(MediaType.TEXT_HTML)
        public String limitedPage() {
            return "<p>a limited page</p>";
        }

        @GET
        @Path("health/{probe: live|ready}")
        @Produces(MediaType.TEXT_PLAIN)
        public String health() {
            return "UP";
        }
    }

    @Path("api/hooks")
    @RateLimited("webhook")
    @Produces(MediaType.TEXT_PLAIN)
    public static final class HooksResource {

        @GET
        public String hook() {
            return "hooked";
        }

        @GET
        @Path("deploy")
        @RateLimited("deploy")
        public String deploy() {
            return "deployed";
        }
    }
}
