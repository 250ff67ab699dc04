package io.miaobu.plugin.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.sun.net.httpserver.HttpServer;
import io.miaobu.api.ExtensionException;
import io.miaobu.api.Secret;
import io.miaobu.api.config.ConfigValues;
import io.miaobu.api.source.CheckoutRequest;
import io.miaobu.api.source.SourceRepository;
import io.miaobu.api.testkit.RecordingTaskLog;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs JGit against a local HTTP server that refuses it, and looks for the secrets everywhere a user could see. */
class GitCredentialTest {

    private static final String TOKEN = "tok-5ecr3t-9f8e7d";
    private static final String URL_PASSWORD = "urlpa55-c0ffee";

    private final GitSourceProvider provider = new GitSourceProvider();
    private final RecordingTaskLog log = new RecordingTaskLog();
    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private final List<String> requestedPaths = new CopyOnWriteArrayList<>();
    private HttpServer server;

    @TempDir
    Path temp;

    @BeforeEach
    void startServer() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/private.git", exchange -> {
            record(exchange.getRequestHeaders().getFirst("Authorization"), exchange.getRequestURI().toString());
            exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"git\"");
            exchange.sendResponseHeaders(401, -1);
            exchange.close();
        });
        server.createContext("/missing.git", exchange -> {
            record(exchange.getRequestHeaders().getFirst("Authorization"), exchange.getRequestURI().toString());
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    @Test
    void reportsFailedAuthenticationWithoutShowingTheCredential() {
        String url = base() + "/private.git";

        Throwable thrown = catchThrowable(() -> provider.checkout(request(url, Secret.of(TOKEN)), log));

        assertThat(thrown).isInstanceOf(ExtensionException.class)
                .hasMessage("Authentication to " + url + " failed. Check the access token and its permissions.");
        assertNoSecretIn(thrown);
        assertThat(authorizations).contains(basic(GitSourceProvider.TOKEN_USER, TOKEN));
        assertThat(requestedPaths).noneMatch(path -> path.contains(TOKEN));
    }

    @Test
    void neverShowsUserInfoFromTheUrlNorTheCredential() {
        String clean = base() + "/private.git";
        String withUserInfo = clean.replace("http://", "http://someone:" + URL_PASSWORD + "@");

        Throwable checkout = catchThrowable(() -> provider.checkout(request(withUserInfo, Secret.of(TOKEN)), log));
        Throwable resolve = catchThrowable(() -> provider.resolveBranch(repository(withUserInfo, Secret.of(TOKEN))));

        assertThat(checkout).isInstanceOf(ExtensionException.class).hasMessageContaining(clean);
        assertThat(resolve).isInstanceOf(ExtensionException.class).hasMessageContaining(clean);
        assertNoSecretIn(checkout);
        assertNoSecretIn(resolve);
        assertThat(log.text()).contains("Cloning " + clean + " (branch main)");
    }

    @Test
    void sendsTheServerWideTokenToHttpsRemotesWithoutACredentialOfTheirOwn() {
        String url = base() + "/private.git";
        var global = ConfigValues.of(java.util.Map.of(),
                java.util.Map.of(GitSourceProvider.HTTPS_TOKEN, Secret.of("server-wide-" + TOKEN)));

        Throwable thrown = catchThrowable(() -> provider.resolveBranch(
                new SourceRepository(url, "main", global, ConfigValues.EMPTY, null)));

        assertThat(thrown).isInstanceOf(ExtensionException.class).hasMessageStartingWith("Authentication to ");
        assertThat(authorizations).contains(basic(GitSourceProvider.TOKEN_USER, "server-wide-" + TOKEN));
        assertThat(thrown.getMessage()).doesNotContain("server-wide-");
        assertThat(provider.globalSettings().field(GitSourceProvider.HTTPS_TOKEN).orElseThrow().secret()).isTrue();
    }

    @Test
    void prefersTheRepositorysOwnCredentialOverTheServerWideToken() {
        String url = base() + "/private.git";
        var global = ConfigValues.of(java.util.Map.of(),
                java.util.Map.of(GitSourceProvider.HTTPS_TOKEN, Secret.of("server-wide")));

        catchThrowable(() -> provider.resolveBranch(
                new SourceRepository(url, "main", global, ConfigValues.EMPTY, Secret.of(TOKEN))));

        assertThat(authorizations).contains(basic(GitSourceProvider.TOKEN_USER, TOKEN))
                .doesNotContain(basic(GitSourceProvider.TOKEN_USER, "server-wide"));
    }

    @Test
    void usesCredentialsFromTheUrlThroughTheCredentialsProvider() {
        String withUserInfo = base().replace("http://", "http://someone:" + URL_PASSWORD + "@") + "/private.git";

        Throwable thrown = catchThrowable(() -> provider.resolveBranch(repository(withUserInfo, null)));

        assertThat(thrown).isInstanceOf(ExtensionException.class).hasMessageStartingWith("Authentication to ");
        assertThat(authorizations).contains(basic("someone", URL_PASSWORD));
        assertNoSecretIn(thrown);
    }

    @Test
    void reportsAMissingRemoteRepository() {
        String url = base() + "/missing.git";

        Throwable thrown = catchThrowable(() -> provider.checkout(request(url, Secret.of(TOKEN)), log));

        assertThat(thrown).isInstanceOf(ExtensionException.class)
                .hasMessage("Repository " + url + " was not found.");
        assertNoSecretIn(thrown);
    }

    @Test
    void suggestsATokenWhenAnAnonymousRepositoryIsMissing() {
        String url = base() + "/missing.git";

        assertThat(catchThrowable(() -> provider.resolveBranch(repository(url, null))))
                .hasMessage("Repository " + url + " was not found. If it is private, add an access token.");
    }

    @Test
    void reportsARefusedConnection() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        String url = "http://x-access-token:" + TOKEN + "@127.0.0.1:" + closedPort + "/site.git";

        Throwable thrown = catchThrowable(() -> provider.checkout(request(url, Secret.of(TOKEN)), log));

        assertThat(thrown).isInstanceOf(ExtensionException.class)
                .hasMessageStartingWith("Could not connect to http://127.0.0.1:" + closedPort + "/site.git.");
        assertNoSecretIn(thrown);
    }

    @Test
    void explainsThatSshIsNotAvailable() {
        assumeThat(System.getenv("GIT_SSH")).as("no external ssh configured").isNull();
        assertThat(catchThrowable(() -> provider.resolveBranch(repository("git@127.0.0.1:octo/site.git", null))))
                .isInstanceOf(ExtensionException.class)
                .hasMessage("Miaobu cannot fetch 127.0.0.1:octo/site.git over SSH. Use the repository's https URL "
                        + "with an access token.");
    }

    private void record(String authorization, String path) {
        if (authorization != null) {
            authorizations.add(authorization);
        }
        requestedPaths.add(path);
    }

    private void assertNoSecretIn(Throwable thrown) {
        StringWriter trace = new StringWriter();
        thrown.printStackTrace(new PrintWriter(trace));
        assertThat(trace.toString()).doesNotContain(TOKEN).doesNotContain(URL_PASSWORD);
        assertThat(log.text()).doesNotContain(TOKEN).doesNotContain(URL_PASSWORD);
    }

    private String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private CheckoutRequest request(String url, Secret credential) {
        return new CheckoutRequest(repository(url, credential), null, temp.resolve("ws"));
    }

    private static SourceRepository repository(String url, Secret credential) {
        return new SourceRepository(url, "main", ConfigValues.EMPTY, ConfigValues.EMPTY, credential);
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
}
