package io.miaobu.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.miaobu.server.auth.AccessFilter;
import io.miaobu.server.secrets.SecretBox;
import io.miaobu.server.source.SourceCredentials;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signing in through an identity provider, end to end: a real server with a test-only provider (registered as a
 * built-in extension) talking to a local OAuth authorization server, and a browser that keeps cookies and shows every
 * redirect. Covers the account made on the first sign-in, the session it gets, the sealed token, connecting an account
 * to a signed-in user, and the refusals: forged state, a callback in another browser, a callback used twice, a
 * cancelled sign-in, redirects off the server, a locked account and disconnecting the only way to sign in.
 */
class ExternalSignInIT {

    private static final String PROVIDER = "stand-in";
    private static final String NAME = "Stand-in Hub";
    private static final AtomicInteger PEOPLE = new AtomicInteger(1000);

    @TempDir
    static Path temp;
    static OAuthStandIn oauth;
    static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        oauth = new OAuthStandIn();
        server = new TestServer(temp.resolve("home"), Map.of("ratelimit.enabled", "false"),
                List.of(new StandInIdentityProvider(PROVIDER, NAME),
                        new StandInIdentityProvider("unset", "Never Set Up")))
                .publicUrlOnLoopback().start();
        var saved = server.api("PUT", "/api/v1/extensions/IdentityProvider/" + PROVIDER + "/settings",
                Map.of("values", Map.of("base-url", oauth.baseUrl(), "client-id", OAuthStandIn.CLIENT_ID,
                        "client-secret", OAuthStandIn.CLIENT_SECRET)));
        assertThat(saved.statusCode()).as(saved.body()).isEqualTo(200);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (oauth != null) {
            oauth.close();
        }
    }

    static OAuthStandIn.Person person(String login) {
        String id = Integer.toString(PEOPLE.incrementAndGet());
        return new OAuthStandIn.Person(id, login, "Person " + id, login.toLowerCase() + "@example.test");
    }

    /** The whole round trip in {@code browser}, as {@code person}: every hop, the last one Miaobu's answer. */
    static List<HttpResponse<String>> signInWith(Browser browser, OAuthStandIn.Person person, String startQuery)
            throws Exception {
        oauth.signIn(person);
        return browser.follow(browser.get(server.uri("/auth/" + PROVIDER + "/start" + startQuery)));
    }

    /** Start and the provider's answer, stopping before the callback: its URL. */
    static URI callbackFor(Browser browser, OAuthStandIn.Person person) throws Exception {
        oauth.signIn(person);
        var start = browser.get(server.uri("/auth/" + PROVIDER + "/start"));
        assertThat(start.statusCode()).as(start.body()).isEqualTo(302);
        var authorize = browser.get(URI.create(start.headers().firstValue("Location").orElseThrow()));
        assertThat(authorize.statusCode()).isEqualTo(302);
        return URI.create(authorize.headers().firstValue("Location").orElseThrow());
    }

    static String host() {
        return "127.0.0.1";
    }

    static JsonNode me(Browser browser) throws Exception {
        var response = browser.get(server.uri("/api/v1/account"));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return TestServer.jsonMapper().readTree(response.body());
    }

    static String accessCookie(Browser browser) {
        return browser.cookie(host(), AccessFilter.ACCESS_COOKIE);
    }

    /** Where a response redirects to, without this server's origin. */
    static String location(HttpResponse<?> response) {
        String location = response.headers().firstValue("Location").orElseThrow();
        String origin = server.uri("").toString();
        return location.startsWith(origin) ? location.substring(origin.length()) : location;
    }

    static String flash(HttpResponse<?> response) {
        var cookie = Browser.setCookie(response, "miaobu_flash");
        return cookie == null ? null : URLDecoder.decode(cookie.value(), StandardCharsets.UTF_8);
    }

    static void assertAttemptCookieCleared(HttpResponse<?> callback) {
        var cleared = Browser.setCookie(callback, "miaobu_oauth");
        assertThat(cleared).as("the callback clears the attempt's cookie").isNotNull();
        assertThat(cleared.value()).isEmpty();
        assertThat(cleared.attribute("max-age")).isEqualTo("0");
        assertThat(cleared.attribute("path")).isEqualTo("/auth/");
    }

    static Connection database() throws Exception {
        return DriverManager.getConnection("jdbc:h2:file:" + server.home().resolve("db").resolve("miaobu")
                + ";DB_CLOSE_ON_EXIT=FALSE;AUTO_SERVER=FALSE;WRITE_DELAY=0", "sa", "");
    }

    /** The stored row of an identity: login, sealed token, last sign-in (or null), user id. */
    static List<String> storedIdentity(String externalId) throws Exception {
        try (Connection connection = database();
             var query = connection.prepareStatement("SELECT login, sealed_token, last_sign_in_at, user_id"
                     + " FROM external_identities WHERE provider = ? AND external_id = ?")) {
            query.setString(1, PROVIDER);
            query.setString(2, externalId);
            try (var rows = query.executeQuery()) {
                assertThat(rows.next()).as("identity %s stored", externalId).isTrue();
                return java.util.Arrays.asList(rows.getString(1), rows.getString(2), rows.getString(3),
                        rows.getString(4));
            }
        }
    }

    static String open(String sealed) {
        return new SecretBox(server.home().resolve("secrets/secretbox")).open(sealed, SourceCredentials.TOKEN_PURPOSE);
    }

    static List<String> auditActions(String action) throws Exception {
        var items = server.json("GET", "/api/v1/admin/audit?action=" + action, null, 200).get("items");
        var details = new java.util.ArrayList<String>();
        items.forEach(item -> details.add(item.path("target").asText() + " " + item.path("detail").asText()));
        return details;
    }

    @Test
    void firstSignInMakesTheAccountSignsInAndStoresTheTokenSealed() throws Exception {
        var person = person("Octo.Cat");
        var browser = new Browser();
        oauth.signIn(person);

        var start = browser.get(server.uri("/auth/" + PROVIDER + "/start?next=/account"));
        assertThat(start.statusCode()).isEqualTo(302);
        URI authorize = URI.create(start.headers().firstValue("Location").orElseThrow());
        Map<String, String> request = OAuthStandIn.query(authorize);
        assertThat(authorize.toString()).startsWith(oauth.baseUrl() + "/authorize?");
        assertThat(request.get("redirect_uri")).isEqualTo(server.uri("/auth/" + PROVIDER + "/callback").toString());
        assertThat(request.get("code_challenge_method")).isEqualTo("S256");
        assertThat(request.get("code_challenge")).matches("[A-Za-z0-9_-]{43}");
        assertThat(request.get("state")).matches("[A-Za-z0-9_-]{43,}");
        var attempt = Browser.setCookie(start, "miaobu_oauth");
        assertThat(attempt.attributes()).containsKeys("httponly").containsEntry("path", "/auth/")
                .containsEntry("max-age", "600");
        assertThat(attempt.attribute("samesite")).isEqualToIgnoringCase("Lax");
        assertThat(attempt.value()).as("sealed: the state is not readable in it").startsWith("mb1:")
                .doesNotContain(request.get("state"));

        var hops = browser.follow(start);
        var callback = hops.get(2);
        assertThat(callback.uri().getPath()).isEqualTo("/auth/" + PROVIDER + "/callback");
        assertThat(callback.statusCode()).as(callback.body()).isEqualTo(303);
        assertThat(location(callback)).isEqualTo("/account");
        assertThat(flash(callback)).contains("Welcome to Miaobu, octo.cat");
        assertAttemptCookieCleared(callback);
        assertThat(Browser.setCookie(callback, AccessFilter.ACCESS_COOKIE).attributes()).containsKey("httponly");
        assertThat(Browser.setCookie(callback, AccessFilter.REFRESH_COOKIE)).isNotNull();
        assertThat(oauth.refusals()).as("PKCE and the code checked out").isEmpty();

        JsonNode me = me(browser);
        assertThat(me.get("username").asText()).isEqualTo("octo.cat");
        assertThat(me.get("role").asText()).isEqualTo("user");
        var email = browser.get(server.uri("/api/v1/account/email"));
        assertThat(email.body()).contains("octo.cat@example.test");
        var identities = browser.get(server.uri("/api/v1/account/identities"));
        assertThat(identities.body()).contains("\"login\":\"Octo.Cat\"").contains(NAME)
                .doesNotContain(oauth.issuedTokens().get(oauth.issuedTokens().size() - 1));
        var page = browser.get(server.uri("/account"));
        assertThat(page.body()).contains("Octo.Cat").contains("/account/identities/" + PROVIDER + "/disconnect");

        List<String> stored = storedIdentity(person.id());
        String token = oauth.issuedTokens().get(oauth.issuedTokens().size() - 1);
        assertThat(stored.get(1)).as("stored sealed").startsWith("mb1:").doesNotContain(token);
        assertThat(open(stored.get(1))).isEqualTo(token);
        assertThat(stored.get(2)).as("last sign-in").isNotNull();
        assertThat(auditActions("auth.external_account_created")).anyMatch(a -> a.contains("user:octo.cat"));
        assertThat(auditActions("auth.signed_in")).anyMatch(a -> a.contains("user:octo.cat with " + PROVIDER));
    }

    @Test
    void aSecondSignInReusesTheAccountAndReplacesTheToken() throws Exception {
        var person = person("Repeat");
        var first = signInWith(new Browser(), person, "");
        assertThat(first.get(first.size() - 1).statusCode()).isEqualTo(200);
        String firstToken = oauth.issuedTokens().get(oauth.issuedTokens().size() - 1);
        long users = server.json("GET", "/api/v1/admin/users", null, 200).get("items").size();

        var renamed = new OAuthStandIn.Person(person.id(), "Repeat-Renamed", person.name(), person.email());
        var browser = new Browser();
        var hops = signInWith(browser, renamed, "");
        assertThat(hops.get(2).statusCode()).isEqualTo(303);
        assertThat(location(hops.get(2))).isEqualTo("/");
        assertThat(flash(hops.get(2))).as("no welcome: the account exists").isNull();
        String secondToken = oauth.issuedTokens().get(oauth.issuedTokens().size() - 1);
        assertThat(secondToken).isNotEqualTo(firstToken);

        assertThat(me(browser).get("username").asText()).isEqualTo("repeat");
        assertThat(server.json("GET", "/api/v1/admin/users", null, 200).get("items").size()).isEqualTo(users);
        List<String> stored = storedIdentity(person.id());
        assertThat(stored.get(0)).isEqualTo("Repeat-Renamed");
        assertThat(stored.get(1)).startsWith("mb1:").doesNotContain(secondToken).doesNotContain(firstToken);
        assertThat(open(stored.get(1))).isEqualTo(secondToken);
    }

    @Test
    void aTakenUsernameGetsASuffix() throws Exception {
        server.json("POST", "/api/v1/admin/users", Map.of("username", "taken", "password", TestServer.PASSWORD,
                "role", "user"), 201);
        var browser = new Browser();
        signInWith(browser, person("Taken"), "");
        assertThat(me(browser).get("username").asText()).isEqualTo("taken-2");
    }

    @Test
    void aSignedInUserConnectsTheirAccount() throws Exception {
        var browser = signedInWithPassword("linker");
        var person = person("Linker-Elsewhere");

        var hops = signInWith(browser, person, "?intent=link");
        var callback = hops.get(2);
        assertThat(callback.statusCode()).as(callback.body()).isEqualTo(303);
        assertThat(location(callback)).isEqualTo("/account");
        assertThat(flash(callback)).contains("Connected your " + NAME + " account Linker-Elsewhere");
        assertThat(me(browser).get("username").asText()).isEqualTo("linker");
        var identities = TestServer.jsonMapper().readTree(browser.get(server.uri("/api/v1/account/identities")).body());
        assertThat(identities.get("items")).hasSize(1);
        assertThat(identities.get("items").get(0).get("login").asText()).isEqualTo("Linker-Elsewhere");
        assertThat(identities.get("items").get(0).has("token")).isFalse();
        assertThat(auditActions("auth.identity_linked")).anyMatch(a -> a.contains("user:linker"));

        // the next sign-in through it signs in as that user, and a password user can disconnect it
        var other = new Browser();
        signInWith(other, person, "");
        assertThat(me(other).get("username").asText()).isEqualTo("linker");
        var disconnect = server.apiAs(accessCookie(other), "DELETE", "/api/v1/account/identities/" + PROVIDER, null);
        assertThat(disconnect.statusCode()).as(disconnect.body()).isEqualTo(204);
        assertThat(TestServer.jsonMapper().readTree(browser.get(server.uri("/api/v1/account/identities")).body())
                .get("items")).isEmpty();
    }

    @Test
    void connectingAnAccountThatIsAnotherUsersIsRefused() throws Exception {
        var person = person("Owned");
        signInWith(new Browser(), person, "");
        var browser = signedInWithPassword("thief");

        var hops = signInWith(browser, person, "?intent=link");
        assertThat(location(hops.get(2))).isEqualTo("/account");
        assertThat(flash(hops.get(2))).contains("already connected to another Miaobu user");
        assertThat(TestServer.jsonMapper().readTree(browser.get(server.uri("/api/v1/account/identities")).body())
                .get("items")).isEmpty();
        assertThat(storedIdentity(person.id()).get(3))
                .isNotEqualTo(Long.toString(me(browser).get("id").asLong()));
    }

    @Test
    void aForgedStateIsRefused() throws Exception {
        var browser = new Browser();
        URI callback = callbackFor(browser, person("Forged"));
        String forged = callback.toString().replaceFirst("state=[^&]*", "state=forged-state-value");

        var refused = browser.get(URI.create(forged));
        assertRefused(refused, browser);
        assertThat(auditActions("auth.external_sign_in_refused")).anyMatch(a -> a.contains("state does not match"));
    }

    @Test
    void aCallbackInABrowserThatDidNotStartTheSignInIsRefused() throws Exception {
        URI callback = callbackFor(new Browser(), person("Elsewhere"));
        var victim = new Browser();

        var refused = victim.get(callback);
        assertRefused(refused, victim);
    }

    @Test
    void aCallbackUsedTwiceIsRefused() throws Exception {
        var browser = new Browser();
        URI callback = callbackFor(browser, person("Twice"));
        String attempt = browser.cookie(host(), "miaobu_oauth");
        var first = browser.get(callback);
        assertThat(first.statusCode()).isEqualTo(303);
        assertThat(browser.cookie(host(), "miaobu_oauth")).as("used up").isNull();

        var again = new Browser();
        var replay = again.get(callback);
        assertRefused(replay, again);
        // even with a copy of the spent cookie, the provider takes a code once
        again.setCookie(host(), "/auth/", "miaobu_oauth", attempt);
        var copied = again.get(callback);
        assertThat(copied.statusCode()).isEqualTo(303);
        assertThat(location(copied)).isEqualTo("/login");
        assertThat(flash(copied)).contains(NAME + " refused the sign-in");
        assertThat(Browser.setCookie(copied, AccessFilter.ACCESS_COOKIE)).isNull();
    }

    @Test
    void cancellingAtTheProviderGoesBackToSignInWithAMessage() throws Exception {
        var browser = new Browser();
        oauth.deny();
        var hops = browser.follow(browser.get(server.uri("/auth/" + PROVIDER + "/start")));
        var callback = hops.get(2);
        assertThat(callback.uri().getQuery()).contains("error=access_denied");
        assertThat(location(callback)).isEqualTo("/login");
        assertThat(flash(callback)).isEqualTo("You cancelled signing in with " + NAME + ".");
        assertAttemptCookieCleared(callback);
        assertThat(hops.get(hops.size() - 1).body()).contains("You cancelled signing in with " + NAME);
        assertThat(accessCookie(browser)).isNull();
    }

    @Test
    void aNextOffTheServerIsIgnored() throws Exception {
        for (String next : List.of("//evil.example/", "https://evil.example/", "/\\evil.example", "evil")) {
            var browser = new Browser();
            var hops = signInWith(browser, person("Next"), "?next=" + URLEncoder.encode(next, StandardCharsets.UTF_8));
            assertThat(location(hops.get(2))).as(next).isEqualTo("/");
        }
        var browser = new Browser();
        var hops = signInWith(browser, person("Local"), "?next=" + URLEncoder.encode("/account?x=1",
                StandardCharsets.UTF_8));
        assertThat(location(hops.get(2))).isEqualTo("/account?x=1");
    }

    @Test
    void aLockedAccountIsRefused() throws Exception {
        var person = person("Locky");
        var first = new Browser();
        signInWith(first, person, "");
        long id = me(first).get("id").asLong();
        server.json("POST", "/api/v1/admin/users/" + id + "/lock", Map.of("minutes", 30), 200);

        var browser = new Browser();
        var hops = signInWith(browser, person, "");
        assertThat(location(hops.get(2))).isEqualTo("/login");
        assertThat(flash(hops.get(2))).contains("locked");
        assertThat(accessCookie(browser)).isNull();
        assertThat(auditActions("auth.sign_in_failed")).anyMatch(a -> a.contains("user:locky account locked"));
    }

    @Test
    void aPasswordlessUserCannotDisconnectTheirOnlyWayToSignInUntilTheySetAPassword() throws Exception {
        var browser = new Browser();
        signInWith(browser, person("Nopass"), "");
        String bearer = accessCookie(browser);

        var refused = server.apiAs(bearer, "DELETE", "/api/v1/account/identities/" + PROVIDER, null);
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(409);
        assertThat(refused.body()).contains("only way to sign in");
        // the page's button says the same, after the usual CSRF check
        var page = browser.get(server.uri("/account"));
        String csrf = page.body().replaceAll("(?s).*name=\"csrf\" value=\"([^\"]+)\".*", "$1");
        var pagePost = browser.postForm(server.uri("/account/identities/" + PROVIDER + "/disconnect"),
                "csrf=" + URLEncoder.encode(csrf, StandardCharsets.UTF_8));
        assertThat(pagePost.statusCode()).as(pagePost.body()).isEqualTo(303);
        assertThat(flash(pagePost)).contains("only way to sign in");
        assertThat(page.body()).doesNotContain("name=\"currentPassword\"");
        // no password works, and failing does not lock the account
        for (String guess : List.of("", "!no-password", "correct horse battery")) {
            assertThat(server.signIn("nopass", guess).statusCode()).isEqualTo(401);
        }

        server.jsonAs(bearer, "POST", "/api/v1/account/password", Map.of("currentPassword", "",
                "newPassword", "a brand new password"), 204);
        assertThat(server.signIn("nopass", "a brand new password").statusCode()).isEqualTo(200);
        var disconnected = server.apiAs(bearer, "DELETE", "/api/v1/account/identities/" + PROVIDER, null);
        assertThat(disconnected.statusCode()).as(disconnected.body()).isEqualTo(204);
        assertThat(auditActions("auth.identity_unlinked")).anyMatch(a -> a.contains("user:nopass"));
    }

    @Test
    void onlyConfiguredProvidersAreOfferedAndStarted() throws Exception {
        var login = new Browser().get(server.uri("/login?next=/account"));
        assertThat(login.body()).contains("/auth/" + PROVIDER + "/start?next=%2Faccount")
                .contains("Sign in with " + NAME).doesNotContain("/auth/unset/").doesNotContain("Never Set Up");

        var unset = new Browser().get(server.uri("/auth/unset/start"));
        assertThat(unset.statusCode()).isEqualTo(409);
        assertThat(unset.body()).contains("not set up yet");
        var unknown = new Browser().get(server.uri("/auth/nobody/start"));
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).contains("no identity provider");
    }

    private static void assertRefused(HttpResponse<String> refused, Browser browser) {
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.body()).contains("Signing in was refused").doesNotContain("Exception");
        assertAttemptCookieCleared(refused);
        assertThat(Browser.setCookie(refused, AccessFilter.ACCESS_COOKIE)).isNull();
        assertThat(browser.cookie(host(), AccessFilter.ACCESS_COOKIE)).isNull();
    }

    private static Browser signedInWithPassword(String username) throws Exception {
        server.json("POST", "/api/v1/admin/users", Map.of("username", username, "password", TestServer.PASSWORD,
                "role", "user"), 201);
        var browser = new Browser();
        var login = browser.postForm(server.uri("/login"), "username=" + username + "&password="
                + URLEncoder.encode(TestServer.PASSWORD, StandardCharsets.UTF_8));
        assertThat(login.statusCode()).as(login.body()).isEqualTo(303);
        assertThat(accessCookie(browser)).isNotNull();
        return browser;
    }
}
