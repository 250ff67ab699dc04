package io.miaobu.server.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;
import java.util.Optional;
import java.util.UUID;

/**
 * Signed session tokens (JWT, HS256) used as the page cookie and as API bearer tokens. The signing key lives in
 * {@code MIAOBU_HOME/secrets/jwt-signing.key}; its id travels in the token header so that keys can be rotated.
 */
public final class SessionTokens {

    private static final String ISSUER = "miaobu";

    private final byte[] key;
    private final String keyId;
    private final Duration ttl;
    private final Clock clock;

    public SessionTokens(Path secretsDirectory, Duration ttl, Clock clock) {
        this.key = loadOrCreateKey(secretsDirectory.resolve("jwt-signing.key"));
        this.keyId = HexFormat.of().formatHex(key, 0, 4);
        this.ttl = ttl;
        this.clock = clock;
    }

    /** A token for the user, valid for the configured time. */
    public String issue(User user) {
        Instant now = clock.instant();
        var claims = new JWTClaimsSet.Builder()
                .issuer(ISSUER)
                .subject(Long.toString(user.id()))
                .claim("name", user.username())
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(ttl)))
                .jwtID(UUID.randomUUID().toString())
                .build();
        var jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(keyId).build(), claims);
        try {
            jwt.sign(new MACSigner(key));
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign a session token", e);
        }
        return jwt.serialize();
    }

    /** The user id of a valid token; empty for anything malformed, unsigned, wrongly signed or expired. */
    public Optional<Long> verify(String token) {
        try {
            SignedJWT jwt = SignedJWT.parse(token);
            if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm()) || !keyId.equals(jwt.getHeader().getKeyID())
                    || !jwt.verify(new MACVerifier(key))) {
                return Optional.empty();
            }
            JWTClaimsSet claims = jwt.getJWTClaimsSet();
            Date expires = claims.getExpirationTime();
            if (!ISSUER.equals(claims.getIssuer()) || expires == null || !expires.toInstant().isAfter(clock.instant())) {
                return Optional.empty();
            }
            return Optional.of(Long.parseLong(claims.getSubject()));
        } catch (ParseException | JOSEException | NumberFormatException | ClassCastException e) {
            return Optional.empty();
        }
    }

    /** A key for another purpose ({@code "csrf"}), derived from the signing key so that both rotate together. */
    public byte[] derivedKey(String purpose) {
        try {
            var mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(("miaobu-derived-key:" + purpose).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public Duration ttl() {
        return ttl;
    }

    private static byte[] loadOrCreateKey(Path file) {
        try {
            if (Files.exists(file)) {
                byte[] existing = HexFormat.of().parseHex(Files.readString(file).strip());
                if (existing.length < 32) {
                    throw new IllegalStateException(file + " holds a key shorter than 256 bits");
                }
                return existing;
            }
            Files.createDirectories(file.getParent());
            byte[] fresh = new byte[32];
            new SecureRandom().nextBytes(fresh);
            SecretFiles.writePrivate(file, HexFormat.of().formatHex(fresh));
            return fresh;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create " + file, e);
        }
    }
}
