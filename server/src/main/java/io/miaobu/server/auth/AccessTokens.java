package io.miaobu.server.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Short-lived access tokens: JWTs signed with HS256 by the current {@link SigningKeys} key, whose id is in the header.
 * Each names its user ({@code sub}) and session ({@code sid}); the caller still checks that the session has not ended.
 *
 * <p>Verification accepts exactly one shape: {@code alg} HS256, type {@code at+jwt}, a known key id, a valid
 * signature, our issuer and audience, and an expiry in the future. Everything else ({@code alg: none}, other
 * algorithms, unknown keys, tampered claims, expired tokens) is refused the same way.
 */
public final class AccessTokens {

    private static final String ISSUER = "miaobu";
    private static final String AUDIENCE = "miaobu-api";
    private static final JOSEObjectType TYPE = new JOSEObjectType("at+jwt");

    private final SigningKeys keys;
    private final Duration ttl;
    private final Clock clock;

    public AccessTokens(SigningKeys keys, Duration ttl, Clock clock) {
        this.keys = keys;
        this.ttl = ttl;
        this.clock = clock;
    }

    /** What a valid access token says. */
    public record Claims(long userId, String sessionId, Instant expiresAt) {
    }

    public String issue(User user, String sessionId) {
        Instant now = clock.instant();
        var claims = new JWTClaimsSet.Builder()
                .issuer(ISSUER)
                .audience(AUDIENCE)
                .subject(Long.toString(user.id()))
                .claim("sid", sessionId)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(ttl)))
                .jwtID(UUID.randomUUID().toString())
                .build();
        Map.Entry<String, byte[]> key = keys.signingKey();
        var jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).type(TYPE).keyID(key.getKey()).build(),
                claims);
        try {
            jwt.sign(new MACSigner(key.getValue()));
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign an access token", e);
        }
        return jwt.serialize();
    }

    /** The claims of a valid token; empty for anything malformed, unsigned, wrongly signed or expired. */
    public Optional<Claims> verify(String token) {
        if (token == null || token.length() > 4096) {
            return Optional.empty();
        }
        try {
            SignedJWT jwt = SignedJWT.parse(token);
            JWSHeader header = jwt.getHeader();
            if (!JWSAlgorithm.HS256.equals(header.getAlgorithm()) || !TYPE.equals(header.getType())
                    || header.getCriticalParams() != null) {
                return Optional.empty();
            }
            Optional<byte[]> key = keys.verificationKey(header.getKeyID());
            if (key.isEmpty() || !jwt.verify(new MACVerifier(key.get()))) {
                return Optional.empty();
            }
            JWTClaimsSet claims = jwt.getJWTClaimsSet();
            Date expires = claims.getExpirationTime();
            List<String> audience = claims.getAudience();
            Object sessionId = claims.getClaim("sid");
            if (!ISSUER.equals(claims.getIssuer()) || audience == null || !audience.equals(List.of(AUDIENCE))
                    || expires == null || !expires.toInstant().isAfter(clock.instant())
                    || !(sessionId instanceof String sid) || sid.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(new Claims(Long.parseLong(claims.getSubject()), sid, expires.toInstant()));
        } catch (ParseException | JOSEException | NumberFormatException | ClassCastException e) {
            return Optional.empty();
        }
    }

    public Duration ttl() {
        return ttl;
    }
}
