package io.miaobu.plugin.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class WebhookSignatureTest {

    private static final Duration FIVE_MINUTES = WebhookSignature.RECOMMENDED_TOLERANCE;
    private static final byte[] BODY = "{\"schema\":1}".getBytes(StandardCharsets.UTF_8);
    private static final long SENT = 1_700_000_000L;
    private static final Instant NOW = Instant.ofEpochSecond(SENT + 2);

    @Test
    void signsTheTimestampADotAndTheBodyWithHmacSha256() {
        // computed independently: python3 hmac.new(b"whsec-test", b'1700000000.{"schema":1}', sha256).hexdigest()
        assertThat(WebhookSignature.sign("whsec-test", SENT, BODY))
                .isEqualTo("v1=976cfee7bac1cb94a31a85ebcaa06b2f8b9c2fdc0ee69f5d9f9a5d89f7eb0029");
    }

    @Test
    void acceptsWhatItSigned() {
        String signature = WebhookSignature.sign(Events.SECRET, SENT, BODY);

        assertThat(WebhookSignature.verify(Events.SECRET, Long.toString(SENT), BODY, signature, FIVE_MINUTES, NOW))
                .isTrue();
    }

    @Test
    void rejectsATamperedBody() {
        String signature = WebhookSignature.sign(Events.SECRET, SENT, BODY);
        byte[] tampered = "{\"schema\":2}".getBytes(StandardCharsets.UTF_8);

        assertThat(WebhookSignature.verify(Events.SECRET, Long.toString(SENT), tampered, signature, FIVE_MINUTES,
                NOW)).isFalse();
    }

    @Test
    void rejectsTheWrongSecret() {
        String signature = WebhookSignature.sign(Events.SECRET, SENT, BODY);

        assertThat(WebhookSignature.verify("another-secret", Long.toString(SENT), BODY, signature, FIVE_MINUTES,
                NOW)).isFalse();
        assertThat(WebhookSignature.verify("", Long.toString(SENT), BODY, signature, FIVE_MINUTES, NOW)).isFalse();
    }

    @Test
    void rejectsAReplayedTimestampOutsideTheTolerance() {
        String signature = WebhookSignature.sign(Events.SECRET, SENT, BODY);
        String timestamp = Long.toString(SENT);

        assertThat(WebhookSignature.verify(Events.SECRET, timestamp, BODY, signature, FIVE_MINUTES,
                Instant.ofEpochSecond(SENT + 300))).isTrue();
        assertThat(WebhookSignature.verify(Events.SECRET, timestamp, BODY, signature, FIVE_MINUTES,
                Instant.ofEpochSecond(SENT + 301))).isFalse();
        assertThat(WebhookSignature.verify(Events.SECRET, timestamp, BODY, signature, FIVE_MINUTES,
                Instant.ofEpochSecond(SENT - 301))).as("a timestamp from the future").isFalse();
    }

    @Test
    void rejectsATimestampChangedToLookFresh() {
        String signature = WebhookSignature.sign(Events.SECRET, SENT, BODY);
        Instant muchLater = Instant.ofEpochSecond(SENT + 3600);

        assertThat(WebhookSignature.verify(Events.SECRET, Long.toString(SENT + 3600), BODY, signature, FIVE_MINUTES,
                muchLater)).isFalse();
    }

    @Test
    void rejectsMissingAndMalformedHeaders() {
        String signature = WebhookSignature.sign(Events.SECRET, SENT, BODY);
        String timestamp = Long.toString(SENT);

        assertThat(WebhookSignature.verify(Events.SECRET, null, BODY, signature, FIVE_MINUTES, NOW)).isFalse();
        assertThat(WebhookSignature.verify(Events.SECRET, timestamp, BODY, null, FIVE_MINUTES, NOW)).isFalse();
        assertThat(WebhookSignature.verify(Events.SECRET, "17e8", BODY, signature, FIVE_MINUTES, NOW)).isFalse();
        assertThat(WebhookSignature.verify(Events.SECRET, timestamp, BODY, signature.substring(3), FIVE_MINUTES,
                NOW)).as("without the v1= prefix").isFalse();
        assertThat(WebhookSignature.verify(Events.SECRET, timestamp, BODY, "v2=" + signature.substring(3),
                FIVE_MINUTES, NOW)).isFalse();
        assertThat(WebhookSignature.verify(Events.SECRET, timestamp, BODY, signature.toUpperCase(), FIVE_MINUTES,
                NOW)).isFalse();
    }
}
