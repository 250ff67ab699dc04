package io.miaobu.server.identity;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.miaobu.server.secrets.SecretBox;
import io.miaobu.server.secrets.SecretBoxException;
import jakarta.ws.rs.core.NewCookie;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;

/**
 * The browser's half of an external sign-in: the OAuth {@code state}, the PKCE verifier (RFC 7636) and what the sign-in
 * is for, kept between the start and the provider's callback in one short-lived cookie sealed by the server, so the
 * browser can neither read the verifier nor change a field, and a callback arriving in another browser (login CSRF)
 * finds no cookie. Nothing is stored server-side; the provider's authorization code is good for one exchange only.
 */
public final class SignInAttempts {

    /** Sent only to {@code /auth/…}, where the callback is. */
    public static final String COOKIE = "miaobu_oauth";
    static final String PURPOSE = "external-sign-in";
    static final Duration LIFETIME = Duration.ofMinutes(10);
    private static final Base64.Encoder BASE64 = Base64.getUrlEncoder().withoutPadding();
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the sign-in is for. */
    public enum Intent {
        /** Sign in, making the account on the first sign-in. */
        SIGN_IN,
        /** Connect the account to the user of the session that started it. */
        LINK
    }

    /**
     * One sign-in in progress.
     *
     * @param sessionId     the session that asked to connect an account; {@code null} for a sign-in
     * @param next          the local path to go to afterwards; empty for the default
     * @param expiresAtSecond when the attempt expires, in seconds since the epoch
     */
    public record Attempt(String provider, String state, String verifier, Intent intent, String sessionId,
                          String next, long expiresAtSecond) {

        /** The PKCE S256 challenge of the verifier. */
        public String challenge() {
            return challengeOf(verifier);
        }

        @Override
        public String toString() {
            return "Attempt[" + provider + ", " + intent + "]";
        }
    }

    /** Why a callback's attempt was refused: said to the user and written to the audit log. */
    public static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        Refused(String reason) {
            super(reason, null, false, false);
        }
    }

    private final SecretBox box;
    private final boolean secureCookie;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    public SignInAttempts(SecretBox box, boolean secureCookie, Clock clock) {
        this.box = box;
        this.secureCookie = secureCookie;
        this.clock = clock;
    }

    /** A new attempt: 256 random bits of state and a 43-character verifier (256 bits too). */
    public Attempt begin(String provider, Intent intent, String sessionId, String next) {
        return new Attempt(provider, randomToken(), randomToken(), intent, sessionId, next,
                clock.instant().plus(LIFETIME).getEpochSecond());
    }

    /** The cookie that carries {@code attempt} to the callback. */
    public NewCookie cookie(Attempt attempt) {
        try {
            return cookie(box.seal(JSON.writeValueAsString(attempt), PURPOSE), (int) LIFETIME.toSeconds());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a sign-in attempt", e);
        }
    }

    /** Removes the cookie: every callback uses it up, whatever becomes of it. */
    public NewCookie cleared() {
        return cookie("", 0);
    }

    /**
     * The attempt a callback belongs to, checked against the callback's provider and state.
     *
     * @throws Refused when the cookie is missing, not one of ours, expired, for another provider, or its state is
     *                 not the callback's
     */
    public Attempt check(String cookieValue, String provider, String state) throws Refused {
        if (cookieValue == null || cookieValue.isEmpty()) {
            throw new Refused("no sign-in was started in this browser, or it was already used");
        }
        Attempt attempt;
        try {
            attempt = JSON.readValue(box.open(cookieValue, PURPOSE), Attempt.class);
        } catch (SecretBoxException | JsonProcessingException e) {
            throw new Refused("the sign-in cookie is not valid");
        }
        if (attempt.expiresAtSecond() < clock.instant().getEpochSecond()) {
            throw new Refused("the sign-in took longer than " + LIFETIME.toMinutes() + " minutes");
        }
        if (!attempt.provider().equals(provider)) {
            throw new Refused("the sign-in was started with another provider");
        }
        if (state == null || !MessageDigest.isEqual(attempt.state().getBytes(StandardCharsets.UTF_8),
                state.getBytes(StandardCharsets.UTF_8))) {
            throw new Refused("the state does not match the sign-in started in this browser");
        }
        return attempt;
    }

    /** {@code BASE64URL(SHA256(ASCII(verifier)))}, RFC 7636 section 4.2. */
    static String challengeOf(String verifier) {
        try {
            return BASE64.encodeToString(MessageDigest.getInstance("SHA-256")
                    .digest(verifier.getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available in this JVM", e);
        }
    }

    private String randomToken() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return BASE64.encodeToString(bytes);
    }

    private NewCookie cookie(String value, int maxAge) {
        return new NewCookie.Builder(COOKIE).value(value).path("/auth/").maxAge(maxAge).httpOnly(true)
                .secure(secureCookie).sameSite(NewCookie.SameSite.LAX).build();
    }
}
