package io.miaobu.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A tiny OAuth 2.0 authorization server (RFC 6749 authorization code with RFC 7636 PKCE), speaking to the test's
 * identity provider as an OAuth provider such as GitHub does: {@code GET /authorize} sends the browser back with a code
 * for whoever is "signed in" here (or with {@code error=access_denied}), {@code POST /token} exchanges a code once, for
 * the client's secret and the right verifier, and {@code GET /user} answers who a token belongs to.
 */
final class OAuthStandIn implements AutoCloseable {

    static final String CLIENT_ID = "stand-in-client";
    static final String CLIENT_SECRET = "stand-in-secret-0f1e2d";

    /** A person with an account at the provider. */
    record Person(String id, String login, String name, String email) {
    }

    private record Grant(Person person, String clientId, String redirectUri, String challenge) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private final SecureRandom random = new SecureRandom();
    private final HttpServer server;
    private final Map<String, Grant> grants = new ConcurrentHashMap<>();
    private final Map<String, Person> tokens = new ConcurrentHashMap<>();
    private final List<String> issued = new CopyOnWriteArrayList<>();
    private final List<String> refusals = new CopyOnWriteArrayList<>();
    private volatile Person signedIn;
    private volatile boolean denying;

    private final String clientSecret;

    OAuthStandIn() throws IOException {
        this(CLIENT_SECRET);
    }

    /** @param clientSecret the secret the client must present at the token endpoint */
    OAuthStandIn(String clientSecret) throws IOException {
        this.clientSecret = clientSecret;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/authorize", this::authorize);
        server.createContext("/token", this::token);
        server.createContext("/user", this::user);
        server.start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Who the next authorization is for, as if they had signed in at the provider. */
    void signIn(Person person) {
        signedIn = person;
        denying = false;
    }

    /** The next authorizations are refused by the person ("Cancel"). */
    void deny() {
        denying = true;
    }

    /** Every access token handed out, oldest first. */
    List<String> issuedTokens() {
        return List.copyOf(issued);
    }

    /** Why token requests were refused. */
    List<String> refusals() {
        return List.copyOf(refusals);
    }

    private void authorize(HttpExchange exchange) throws IOException {
        Map<String, String> query = parse(exchange.getRequestURI().getRawQuery());
        String redirect = query.get("redirect_uri");
        String state = query.get("state");
        if (!"code".equals(query.get("response_type")) || !CLIENT_ID.equals(query.get("client_id"))
                || redirect == null || !"S256".equals(query.get("code_challenge_method"))
                || query.get("code_challenge") == null) {
            send(exchange, 400, "text/plain", "bad authorization request: " + query.keySet());
            return;
        }
        String back;
        if (denying || signedIn == null) {
            back = redirect + "?error=access_denied&state=" + encode(state);
        } else {
            String code = randomToken();
            grants.put(code, new Grant(signedIn, CLIENT_ID, redirect, query.get("code_challenge")));
            back = redirect + "?code=" + encode(code) + "&state=" + encode(state);
        }
        exchange.getResponseHeaders().add("Location", back);
        exchange.sendResponseHeaders(302, -1);
        exchange.close();
    }

    private void token(HttpExchange exchange) throws IOException {
        Map<String, String> form = parse(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        // a code is good for one exchange, whatever the outcome
        Grant grant = form.get("code") == null ? null : grants.remove(form.get("code"));
        String problem = null;
        if (!"POST".equals(exchange.getRequestMethod()) || !"authorization_code".equals(form.get("grant_type"))) {
            problem = "unsupported_grant_type";
        } else if (!CLIENT_ID.equals(form.get("client_id")) || !clientSecret.equals(form.get("client_secret"))) {
            problem = "invalid_client";
        } else if (grant == null) {
            problem = "invalid_grant: unknown or used code";
        } else if (!grant.redirectUri().equals(form.get("redirect_uri"))) {
            problem = "invalid_grant: redirect_uri differs";
        } else if (form.get("code_verifier") == null || !s256(form.get("code_verifier")).equals(grant.challenge())) {
            problem = "invalid_grant: PKCE verification failed";
        }
        if (problem != null) {
            refusals.add(problem);
            send(exchange, 400, "application/json", JSON.writeValueAsString(Map.of("error", problem)));
            return;
        }
        String token = "sit_" + randomToken();
        tokens.put(token, grant.person());
        issued.add(token);
        send(exchange, 200, "application/json", JSON.writeValueAsString(Map.of("access_token", token,
                "token_type", "bearer", "scope", "read:user")));
    }

    private void user(HttpExchange exchange) throws IOException {
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        Person person = authorization == null ? null : tokens.get(authorization.replaceFirst("^Bearer ", ""));
        if (person == null) {
            send(exchange, 401, "application/json", "{\"message\":\"Bad credentials\"}");
            return;
        }
        var body = new HashMap<String, Object>();
        body.put("id", person.id());
        body.put("login", person.login());
        body.put("name", person.name());
        body.put("email", person.email());
        send(exchange, 200, "application/json", JSON.writeValueAsString(body));
    }

    static String s256(String verifier) {
        try {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(MessageDigest.getInstance("SHA-256")
                    .digest(verifier.getBytes(StandardCharsets.US_ASCII)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static Map<String, String> parse(String encoded) {
        var values = new HashMap<String, String>();
        if (encoded == null || encoded.isEmpty()) {
            return values;
        }
        for (String pair : encoded.split("&")) {
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            values.put(name, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return values;
    }

    static Map<String, String> query(URI uri) {
        return parse(uri.getRawQuery());
    }

    private static String encode(String value) {
        return URLEncoder.encode(value == null ? "" : value, StandardCharsets.UTF_8);
    }

    private String randomToken() {
        byte[] bytes = new byte[24];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
