package io.miaobu.server.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SecretBoxTest {

    private static final String PLAINTEXT = "ghp_s3cr3t-Tökén/with:colons";
    private static final String PURPOSE = "plugin-setting";

    @TempDir
    Path home;

    @Test
    void opensWhatItSealed() {
        var box = new SecretBox(keys());

        assertThat(box.open(box.seal(PLAINTEXT, PURPOSE), PURPOSE)).isEqualTo(PLAINTEXT);
        assertThat(box.open(box.seal("", PURPOSE), PURPOSE)).isEmpty();
    }

    @Test
    void sealsToTheDocumentedShapeWithoutThePlaintext() {
        var box = new SecretBox(keys());

        String sealed = box.seal(PLAINTEXT, PURPOSE);

        assertThat(sealed).startsWith("mb1:" + box.currentKeyId() + ":").doesNotContain(PLAINTEXT)
                .doesNotContain("s3cr3t").doesNotContain("=");
        assertThat(SecretBox.looksSealed(sealed)).isTrue();
        assertThat(SecretBox.looksSealed(PLAINTEXT)).isFalse();
        byte[] payload = Base64.getUrlDecoder().decode(sealed.substring(sealed.lastIndexOf(':') + 1));
        assertThat(payload).hasSize(12 + PLAINTEXT.getBytes(StandardCharsets.UTF_8).length + 16);
    }

    @Test
    void sealsTheSameValueDifferentlyEachTime() {
        var box = new SecretBox(keys());

        assertThat(box.seal(PLAINTEXT, PURPOSE)).isNotEqualTo(box.seal(PLAINTEXT, PURPOSE));
    }

    @Test
    void refusesAValueWithAnyByteFlippedWithoutQuotingIt() {
        var box = new SecretBox(keys());
        String sealed = box.seal(PLAINTEXT, PURPOSE);
        String prefix = sealed.substring(0, sealed.lastIndexOf(':') + 1);
        byte[] payload = Base64.getUrlDecoder().decode(sealed.substring(prefix.length()));

        for (int i = 0; i < payload.length; i++) {
            byte[] tampered = payload.clone();
            tampered[i] ^= 0x01;
            String forged = prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(tampered);

            assertThatThrownBy(() -> box.open(forged, PURPOSE)).isInstanceOf(SecretBoxException.class)
                    .hasMessageContaining(box.currentKeyId()).satisfies(e -> assertDoesNotLeak(e, forged));
        }
    }

    @Test
    void refusesAValueSealedForAnotherPurpose() {
        var box = new SecretBox(keys());
        String sealed = box.seal(PLAINTEXT, "project-variable");

        assertThatThrownBy(() -> box.open(sealed, "oauth-token")).isInstanceOf(SecretBoxException.class)
                .hasMessageContaining("oauth-token").satisfies(e -> assertDoesNotLeak(e, sealed));
    }

    @Test
    void refusesAValueSealedWithAKeyItDoesNotHold() {
        var other = new SecretBox(home.resolve("other"));
        String sealed = other.seal(PLAINTEXT, PURPOSE);
        var box = new SecretBox(keys());

        assertThatThrownBy(() -> box.open(sealed, PURPOSE)).isInstanceOf(SecretBoxException.class)
                .hasMessageContaining("unknown key " + other.currentKeyId())
                .satisfies(e -> assertDoesNotLeak(e, sealed));
    }

    @ParameterizedTest
    @ValueSource(strings = {"hunter2-plain", "mb1:", "mb1:k1:", "mb1:k1", "mb2:k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "mb1:k1:not base64!", "mb1:k:1:AAAA", " mb1:k1:AAAA"})
    void refusesGarbageAsMalformedWithoutQuotingIt(String garbage) {
        var box = new SecretBox(keys());

        assertThatThrownBy(() -> box.open(garbage, PURPOSE)).isInstanceOf(SecretBoxException.class)
                .hasMessageContaining("malformed").satisfies(e -> assertDoesNotLeak(e, garbage));
        assertThat(box.isCurrent(garbage)).isFalse();
    }

    @Test
    void refusesAPayloadTooShortToHoldNonceAndTagAsMalformed() {
        var box = new SecretBox(keys());
        String tooShort = "mb1:" + box.currentKeyId() + ":AAAAAAAAAAAAAAAA";

        assertThatThrownBy(() -> box.open(tooShort, PURPOSE)).isInstanceOf(SecretBoxException.class)
                .hasMessageContaining("malformed").hasMessageContaining(box.currentKeyId());
    }

    @Test
    void refusesToSealNull() {
        var box = new SecretBox(keys());

        assertThatThrownBy(() -> box.seal(null, PURPOSE)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> box.seal(PLAINTEXT, null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aSecondBoxOnTheSameDirectoryOpensWhatTheFirstSealed() {
        String sealed = new SecretBox(keys()).seal(PLAINTEXT, PURPOSE);

        var second = new SecretBox(keys());

        assertThat(second.open(sealed, PURPOSE)).isEqualTo(PLAINTEXT);
        assertThat(second.keyIds()).hasSize(1);
    }

    @Test
    void aNewKeySealsWhileOlderValuesStillOpen() {
        var box = new SecretBox(keys());
        String first = box.currentKeyId();
        String old = box.seal(PLAINTEXT, PURPOSE);

        String added = box.addKey();
        String fresh = box.seal(PLAINTEXT, PURPOSE);

        assertThat(box.currentKeyId()).isEqualTo(added).isGreaterThan(first);
        assertThat(box.keyIds()).containsExactly(first, added);
        assertThat(box.isCurrent(old)).isFalse();
        assertThat(box.isCurrent(fresh)).isTrue();
        assertThat(fresh).startsWith("mb1:" + added + ":");
        assertThat(box.open(old, PURPOSE)).isEqualTo(PLAINTEXT);
        assertThat(new SecretBox(keys()).open(old, PURPOSE)).isEqualTo(PLAINTEXT);
    }

    @Test
    void createsItsDirectoryWithOneOwnerOnlyKeyOf64HexCharacters() throws Exception {
        assumeThat(FileSystems.getDefault().supportedFileAttributeViews()).contains("posix");
        var box = new SecretBox(keys());
        box.addKey();

        List<Path> files = keyFiles();
        assertThat(files).extracting(file -> file.getFileName().toString())
                .containsExactlyInAnyOrderElementsOf(box.keyIds().stream().map(id -> id + ".key").toList());
        for (Path file : files) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
            assertThat(Files.readString(file)).matches("[0-9a-f]{64}");
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keys()))).isEqualTo("rwx------");
    }

    @Test
    void keyIdsFollowCreationOrderEvenWithinOneMillisecondOrWhenTheClockGoesBack() {
        var now = Instant.parse("2026-03-01T10:00:00.000Z");
        var box = new SecretBox(keys(), Clock.fixed(now, ZoneOffset.UTC));
        String first = box.currentKeyId();
        String second = box.addKey();
        String third = new SecretBox(keys(), Clock.fixed(now.minusSeconds(3600), ZoneOffset.UTC)).addKey();
        box.reload();

        assertThat(first).matches("k20260301100000000-[0-9a-f]{4}");
        assertThat(box.keyIds()).containsExactly(first, second, third);
        assertThat(box.currentKeyId()).isEqualTo(third);
    }

    @Test
    void removingAKeyMakesItsValuesUnreadableButTheCurrentKeyCannotBeRemoved() {
        var box = new SecretBox(keys());
        String old = box.currentKeyId();
        String sealed = box.seal(PLAINTEXT, PURPOSE);
        String current = box.addKey();

        assertThatThrownBy(() -> box.removeKey(current)).isInstanceOf(IllegalArgumentException.class);
        box.removeKey(old);

        assertThat(box.keyIds()).containsExactly(current);
        assertThat(keys().resolve(old + ".key")).doesNotExist();
        assertThatThrownBy(() -> box.open(sealed, PURPOSE)).isInstanceOf(SecretBoxException.class)
                .hasMessageContaining(old);
    }

    @Test
    void reloadPicksUpAKeyAddedByAnotherProcess() {
        var box = new SecretBox(keys());
        var otherProcess = new SecretBox(keys());
        String added = otherProcess.addKey();
        String sealed = otherProcess.seal(PLAINTEXT, PURPOSE);
        assertThatThrownBy(() -> box.open(sealed, PURPOSE)).isInstanceOf(SecretBoxException.class);

        box.reload();

        assertThat(box.currentKeyId()).isEqualTo(added);
        assertThat(box.open(sealed, PURPOSE)).isEqualTo(PLAINTEXT);
    }

    @Test
    void refusesToStartOnAKeyFileThatIsNotAKey() throws Exception {
        Files.createDirectories(keys());
        Files.writeString(keys().resolve("k1.key"), "not a key");

        assertThatThrownBy(() -> new SecretBox(keys())).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("k1.key").hasMessageNotContaining("not a key");
    }

    private Path keys() {
        return home.resolve("secrets").resolve("secretbox");
    }

    private List<Path> keyFiles() throws Exception {
        try (Stream<Path> files = Files.list(keys())) {
            return files.toList();
        }
    }

    private static void assertDoesNotLeak(Throwable e, String sealed) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            assertThat(t.getMessage()).doesNotContain(sealed).doesNotContain(PLAINTEXT);
        }
    }
}
