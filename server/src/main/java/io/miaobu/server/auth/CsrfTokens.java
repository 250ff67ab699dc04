package io.miaobu.server.auth;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Anti-CSRF tokens bound to the browser's session: an HMAC of the session cookie under a server key, so nothing is
 * stored and a token is worthless with any other session. Pages put it in every form ({@code csrf}); scripts send it
 * as {@code X-CSRF-Token}.
 */
public final class CsrfTokens {

    private final byte[] key;

    public CsrfTokens(byte[] key) {
        this.key = key.clone();
    }

    /** The token for the session whose cookie value this is. */
    public String tokenFor(String sessionCookie) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            byte[] digest = mac.doFinal(("csrf:" + sessionCookie).getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether {@code token} is this session's, compared in constant time. */
    public boolean matches(String sessionCookie, String token) {
        if (sessionCookie == null || token == null) {
            return false;
        }
        return MessageDigest.isEqual(tokenFor(sessionCookie).getBytes(StandardCharsets.UTF_8),
                token.getBytes(StandardCharsets.UTF_8));
    }
}
