package io.miaobu.server.auth;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Anti-CSRF tokens bound to the browser's session: an HMAC of the session id under a server key (in
 * {@code MIAOBU_HOME/secrets/csrf.key}), so nothing is stored, a token survives the session's token refreshes, and it
 * is worthless with any other session. Pages put it in every form ({@code csrf}); scripts send it
 * as {@code X-CSRF-Token}.
 */
public final class CsrfTokens {

    private final byte[] key;

    public CsrfTokens(byte[] key) {
        this.key = key.clone();
    }

    /** Tokens under the key in {@code file}, created on first use. */
    public static CsrfTokens fromKeyFile(java.nio.file.Path file) {
        try {
            if (!java.nio.file.Files.exists(file)) {
                byte[] fresh = new byte[32];
                new java.security.SecureRandom().nextBytes(fresh);
                SecretFiles.writePrivate(file, java.util.HexFormat.of().formatHex(fresh));
            }
            return new CsrfTokens(java.util.HexFormat.of().parseHex(java.nio.file.Files.readString(file).strip()));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read or create " + file, e);
        }
    }

    /** The token for this session. */
    public String tokenFor(String sessionId) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            byte[] digest = mac.doFinal(("csrf:" + sessionId).getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether {@code token} is this session's, compared in constant time. */
    public boolean matches(String sessionId, String token) {
        if (sessionId == null || token == null) {
            return false;
        }
        return MessageDigest.isEqual(tokenFor(sessionId).getBytes(StandardCharsets.UTF_8),
                token.getBytes(StandardCharsets.UTF_8));
    }
}
