package io.miaobu.server.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.miaobu.server.secrets.SecretBox;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SignInAttemptsTest {

    private static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");

    @TempDir
    Path temp;

    private SignInAttempts at(Instant now) {
        return new SignInAttempts(new SecretBox(temp.resolve("keys")), true, Clock.fixed(now, ZoneOffset.UTC));
    }

    @Test
    void challengeIsTheS256OfRfc7636AppendixB() {
        assertThat(SignInAttempts.challengeOf("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"))
                .isEqualTo("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    }

    @Test
    void anAttemptHasAFreshLongStateAndAVerifierOfTheAllowedAlphabet() {
        var attempts = at(NOW);
        var one = attempts.begin("hub", SignInAttempts.Intent.SIGN_IN, null, "/x");
        var two = attempts.begin("hub", SignInAttempts.Intent.SIGN_IN, null, "/x");

        assertThat(one.state()).hasSize(43).isNotEqualTo(two.state());
        assertThat(one.verifier()).matches("[A-Za-z0-9._~-]{43,128}").isNotEqualTo(two.verifier());
        assertThat(one.challenge()).isEqualTo(SignInAttempts.challengeOf(one.verifier()));
        assertThat(one.toString()).doesNotContain(one.state()).doesNotContain(one.verifier());
    }

    @Test
    void theCookieIsSealedAndComesBackForTheSameProviderAndState() throws Exception {
        var attempts = at(NOW);
        var attempt = attempts.begin("hub", SignInAttempts.Intent.LINK, "session-1", "/account");
        var cookie = attempts.cookie(attempt);

        assertThat(cookie.isHttpOnly()).isTrue();
        assertThat(cookie.isSecure()).isTrue();
        assertThat(cookie.getPath()).isEqualTo("/auth/");
        assertThat(cookie.getMaxAge()).isEqualTo(600);
        assertThat(cookie.getValue()).doesNotContain(attempt.verifier()).doesNotContain(attempt.state());
        assertThat(attempts.check(cookie.getValue(), "hub", attempt.state())).isEqualTo(attempt);
    }

    @Test
    void refusesAMissingTamperedForeignExpiredOrMismatchedAttempt() {
        var attempts = at(NOW);
        var attempt = attempts.begin("hub", SignInAttempts.Intent.SIGN_IN, null, "");
        String value = attempts.cookie(attempt).getValue();
        String tampered = value.substring(0, value.length() - 2) + (value.endsWith("A") ? "BB" : "AA");

        assertThatThrownBy(() -> attempts.check(null, "hub", attempt.state())).hasMessageContaining("no sign-in");
        assertThatThrownBy(() -> attempts.check(tampered, "hub", attempt.state())).hasMessageContaining("not valid");
        assertThatThrownBy(() -> attempts.check(value, "other", attempt.state()))
                .hasMessageContaining("another provider");
        assertThatThrownBy(() -> attempts.check(value, "hub", attempt.state() + "x"))
                .hasMessageContaining("state does not match");
        assertThatThrownBy(() -> attempts.check(value, "hub", null)).hasMessageContaining("state does not match");
        assertThatThrownBy(() -> at(NOW.plus(Duration.ofMinutes(11))).check(value, "hub", attempt.state()))
                .hasMessageContaining("longer than 10 minutes");
    }
}
