package io.miaobu.server.secrets;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The registry is process-wide, so every test registers values of its own (random) rather than resetting it. */
class SecretRedactorTest {

    @Test
    void masksEveryOccurrenceOfARegisteredValue() {
        String secret = unique("s3cr3t");
        SecretRedactor.register(secret);

        assertThat(SecretRedactor.redact(secret + " then " + secret + "-suffix and prefix-" + secret))
                .isEqualTo("**** then ****-suffix and prefix-****");
    }

    @Test
    void leavesValuesShorterThanSixCharactersAlone() {
        SecretRedactor.register("ab1de");
        SecretRedactor.register(null);

        assertThat(SecretRedactor.redact("code ab1de ok")).isEqualTo("code ab1de ok");
    }

    @Test
    void leavesOrdinaryLinesUntouched() {
        String line = "2026-01-01 12:00:00.000 INFO  [build-3] i.m.s.build.Builder - deployment 42 of site-a built"
                + " in 3.2s (key=value, https://example.com:8443/path?x=1, user@example.com)";

        assertThat(SecretRedactor.redact(line)).isEqualTo(line);
        assertThat(SecretRedactor.redact(null)).isNull();
        assertThat(SecretRedactor.redact("")).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("credentialShapes")
    void masksCredentialShapedStrings(String input, String expected) {
        assertThat(SecretRedactor.redact(input)).isEqualTo(expected);
    }

    static Stream<Arguments> credentialShapes() {
        return Stream.of(
                Arguments.of("created mbt_AbCdEfGhIjKlMnOpQrSt_-12 for alice",
                        "created mbt_**** for alice"),
                Arguments.of("refresh=(mbr_0123456789abcdefghijKLMN)", "refresh=(mbr_****)"),
                Arguments.of("short mbt_abc stays", "short mbt_abc stays"),
                Arguments.of("jwt eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.MEUCIQDx-_abc rejected",
                        "jwt **** rejected"),
                Arguments.of("Authorization: Bearer abc.DEF-ghi_~+/== next", "Authorization: Bearer **** next"),
                Arguments.of("header authorization=bearer   opaque123", "header authorization=bearer   ****"),
                Arguments.of("cloning https://deploy:hunter2@github.com/o/r.git",
                        "cloning https://deploy:****@github.com/o/r.git"),
                Arguments.of("redis://:p@ss:w0rd@cache:6379/0 and ftp://bob:pw@host",
                        "redis://:****@cache:6379/0 and ftp://bob:****@host"),
                Arguments.of("GET /callback?code=1&token=abc123&state=x", "GET /callback?code=1&token=****&state=x"),
                Arguments.of("connect password=hunter2, user=bob", "connect password=****, user=bob"),
                Arguments.of("client_secret = 'abc def' next", "client_secret = '****' next"),
                Arguments.of("DB_PASSWORD=\"x y\" user=\"bob\"", "DB_PASSWORD=\"****\" user=\"bob\""),
                Arguments.of("unterminated secret=\"abc def", "unterminated secret=\"**** def"),
                Arguments.of("api-key=k-1&accessToken=zzz", "api-key=****&accessToken=****"),
                Arguments.of("{\"user\":\"bob\",\"password\":\"hun \\\"ter, 2\",\"x\":1}",
                        "{\"user\":\"bob\",\"password\":\"****\",\"x\":1}"),
                Arguments.of("{\"refresh_token\" : \"abc\"}", "{\"refresh_token\" : \"****\"}"));
    }

    @Test
    void handlesVeryLongWordsNextToEveryMarkerWithoutRescanningThem() {
        String word = "a".repeat(100_000);
        String line = word + " mbt_ eyJ bearer x token=y https://u:p@h/ " + word + "://" + word + "@" + word;

        assertThat(SecretRedactor.redact(line).replace(word, "W"))
                .isEqualTo("W mbt_ eyJ bearer **** token=**** https://u:****@h/ W://W@W");
    }

    @Test
    void masksTheLongestRegisteredValueStartingAtAPosition() {
        String shorter = unique("shared");
        String longer = shorter + "-and-longer";
        SecretRedactor.register(shorter);
        SecretRedactor.register(longer);

        assertThat(SecretRedactor.redact("[" + longer + "] [" + shorter + "-and-short]"))
                .isEqualTo("[****] [****-and-short]");
    }

    @Test
    void masksValuesAtTheEdgesAndBackToBack() {
        var secrets = new RegisteredSecrets(10);
        secrets.add("abcdef");
        secrets.add("123456");

        assertThat(secrets.replaceIn("abcdef", "*")).isEqualTo("*");
        assertThat(secrets.replaceIn("abcdef123456abcdefx", "*")).isEqualTo("***x");
        assertThat(secrets.replaceIn("xabcde", "*")).isEqualTo("xabcde");
        assertThat(secrets.replaceIn("xxxxx123456", "*")).isEqualTo("xxxxx*");
    }

    @Test
    void forgetsTheOldestValuesBeyondCapacity() {
        var secrets = new RegisteredSecrets(3);
        secrets.add("first-value");
        secrets.add("second-value");
        secrets.add("third-value");
        secrets.add("first-value");
        secrets.add("fourth-value");

        assertThat(secrets.size()).isEqualTo(3);
        assertThat(secrets.replaceIn("first-value second-value third-value fourth-value", "*"))
                .isEqualTo("* second-value * *");
    }

    @Test
    void keepsFindingTheLatestValuesAfterManyEvictions() {
        var secrets = new RegisteredSecrets(10);
        List<String> values = IntStream.range(0, 1_000).mapToObj(i -> "value-" + i + "-" + UUID.randomUUID()).toList();
        values.forEach(secrets::add);

        for (int i = 0; i < values.size(); i++) {
            String expected = i >= 990 ? "<*>" : "<" + values.get(i) + ">";
            assertThat(secrets.replaceIn("<" + values.get(i) + ">", "*")).isEqualTo(expected);
        }
    }

    @Test
    void redactsTenThousandLinesAgainstAThousandRegisteredValuesInOnePassPerLine() {
        List<String> secrets = IntStream.range(0, 1_000).mapToObj(i -> unique("bulk" + i)).toList();
        secrets.forEach(SecretRedactor::register);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            String payload = i % 10 == 0 ? secrets.get(i % secrets.size()) : "value-" + i;
            lines.add("2026-01-01 12:00:00.000 INFO  [worker-" + i % 8 + "] i.m.s.project.Settings - saved setting "
                    + i + " of project site-" + i % 97 + " as " + payload + " (revision " + i * 7 + ")");
        }

        long masked = lines.stream().map(SecretRedactor::redact).filter(line -> line.contains(" as **** ")).count();

        assertThat(masked).isEqualTo(1_000);
    }

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID();
    }
}
