package io.miaobu.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.PlainHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Access tokens accept exactly one shape; every known JWT attack gets the same refusal. */
class AccessTokensTest {

    private static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");
    private static final User ADA = new User(7, "ada", "hash", Role.USER, NOW, 0, 0, null, NOW);

    @TempDir
    Path temp;

    private final MutableClock clock = new MutableClock(NOW);
    private SigningKeys keys;
    private AccessTokens tokens;

    @BeforeEach
    void setUp() {
        keys = new SigningKeys(temp.resolve("signing-keys"), clock);
        tokens = new AccessTokens(keys, Duration.ofMinutes(15), clock);
    }

    @Test
    void aFreshTokenNamesItsUserAndSession() {
        var claims = tokens.verify(tokens.issue(ADA, "session-1")).orElseThrow();

        assertThat(claims.userId()).isEqualTo(7);
        assertThat(claims.sessionId()).isEqualTo("session-1");
        assertThat(claims.expiresAt()).isEqualTo(NOW.plus(Duration.ofMinutes(15)));
    }

    @Test
    void refusesAnExpiredToken() {
        String token = tokens.issue(ADA, "s");
        clock.advance(Duration.ofMinutes(15));

        assertThat(tokens.verify(token)).isEmpty();
    }

    @Test
    void refusesAlgNone() throws Exception {
        var unsigned = new PlainJWT(new PlainHeader.Builder().type(new JOSEObjectType("at+jwt")).build(),
                validClaims().build());

        assertThat(tokens.verify(unsigned.serialize())).isEmpty();
        // and the classic variant: a signed token whose header is swapped for alg none, signature dropped
        String[] parts = tokens.issue(ADA, "s").split("\\.");
        String noneHeader = base64("{\"alg\":\"none\",\"typ\":\"at+jwt\",\"kid\":\"" + keys.signingKey().getKey()
                + "\"}");
        assertThat(tokens.verify(noneHeader + "." + parts[1] + ".")).isEmpty();
    }

    @Test
    void refusesATokenSignedWithAnotherKey() throws Exception {
        byte[] otherKey = new byte[32];
        new SecureRandom().nextBytes(otherKey);

        assertThat(tokens.verify(sign(validClaims().build(), keys.signingKey().getKey(), otherKey))).isEmpty();
    }

    @Test
    void refusesTamperedClaims() {
        String[] parts = tokens.issue(ADA, "s").split("\\.");
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
        String forged = base64(payload.replace("\"sub\":\"7\"", "\"sub\":\"1\""));

        assertThat(forged).isNotEqualTo(parts[1]);
        assertThat(tokens.verify(parts[0] + "." + forged + "." + parts[2])).isEmpty();
    }

    @Test
    void refusesAnUnknownKeyIdOtherAlgorithmsAndMissingClaims() throws Exception {
        byte[] key = keys.signingKey().getValue();
        String kid = keys.signingKey().getKey();

        assertThat(tokens.verify(sign(validClaims().build(), "k20990101000000000-abcd", key))).isEmpty();
        assertThat(tokens.verify(sign(validClaims().build(), kid, key, JWSAlgorithm.HS512, key(64)))).isEmpty();
        assertThat(tokens.verify(sign(validClaims().claim("sid", null).build(), kid, key))).isEmpty();
        assertThat(tokens.verify(sign(validClaims().audience("someone-else").build(), kid, key))).isEmpty();
        assertThat(tokens.verify(sign(validClaims().issuer("evil").build(), kid, key))).isEmpty();
        assertThat(tokens.verify(sign(validClaims().expirationTime(null).build(), kid, key))).isEmpty();
        assertThat(tokens.verify("not.a.token")).isEmpty();
        assertThat(tokens.verify("")).isEmpty();
        // the same claims with the real key pass: the refusals above are about what was changed
        assertThat(tokens.verify(sign(validClaims().build(), kid, key))).isPresent();
    }

    @Test
    void rotationKeepsEarlierTokensValidUntilTheyExpire() {
        String before = tokens.issue(ADA, "s");
        String oldKey = keys.signingKey().getKey();
        clock.advance(Duration.ofMinutes(1));

        String newKey = keys.rotate(Duration.ofMinutes(15));
        String after = tokens.issue(ADA, "s");

        assertThat(newKey).isNotEqualTo(oldKey);
        assertThat(tokens.verify(before)).isPresent();
        assertThat(tokens.verify(after)).isPresent();
        assertThat(SignedJWT.class.cast(parse(after)).getHeader().getKeyID()).isEqualTo(newKey);

        // once no token the old key signed can be valid, the next rotation removes it
        clock.advance(Duration.ofMinutes(16));
        keys.rotate(Duration.ofMinutes(15));
        assertThat(keys.keyIds()).doesNotContain(oldKey).contains(newKey);
        assertThat(tokens.verify(before)).isEmpty();
    }

    @Test
    void aSecondServerOnTheSameKeysVerifiesTokensSignedWithAKeyItHasNotSeenYet() {
        var otherNode = new AccessTokens(new SigningKeys(temp.resolve("signing-keys"), clock), Duration.ofMinutes(15),
                clock);
        clock.advance(Duration.ofSeconds(1));
        keys.rotate(Duration.ofMinutes(15));

        assertThat(otherNode.verify(tokens.issue(ADA, "s"))).isPresent();
    }

    private JWTClaimsSet.Builder validClaims() {
        return new JWTClaimsSet.Builder().issuer("miaobu").audience(List.of("miaobu-api")).subject("7")
                .claim("sid", "s").issueTime(Date.from(NOW)).expirationTime(Date.from(NOW.plusSeconds(600)));
    }

    private static String sign(JWTClaimsSet claims, String kid, byte[] key) throws Exception {
        return sign(claims, kid, key, JWSAlgorithm.HS256, key);
    }

    private static String sign(JWTClaimsSet claims, String kid, byte[] key, JWSAlgorithm algorithm, byte[] signingKey)
            throws Exception {
        var jwt = new SignedJWT(new JWSHeader.Builder(algorithm).type(new JOSEObjectType("at+jwt")).keyID(kid).build(),
                claims);
        jwt.sign(new MACSigner(signingKey));
        return jwt.serialize();
    }

    private static byte[] key(int length) {
        byte[] key = new byte[length];
        new SecureRandom().nextBytes(key);
        return key;
    }

    private static Object parse(String token) {
        try {
            return SignedJWT.parse(token);
        } catch (java.text.ParseException e) {
            throw new AssertionError(e);
        }
    }

    private static String base64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    /** A clock tests move forward. */
    static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
