package io.miaobu.server.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The keys that sign access tokens: one file per key in {@code MIAOBU_HOME/secrets/signing-keys/<key id>.key}. The
 * newest key signs; every key on disk verifies, so {@link #rotate} signs out nobody. Key ids start with their creation
 * time, and a key is removed once its successor is older than the access-token lifetime (no token it signed can still
 * be valid).
 *
 * <p>Thread-safe. {@link #verificationKey} re-reads the directory when it meets a key id it does not know, so a key
 * added by another process (the {@code rotate-keys} command, another node) is picked up.
 */
public final class SigningKeys {

    private static final Pattern KEY_ID = Pattern.compile("k\\d{17}-[0-9a-f]{4}");
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMddHHmmssSSS")
            .withZone(ZoneOffset.UTC);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path directory;
    private final Clock clock;
    private volatile NavigableMap<String, byte[]> keys;

    public SigningKeys(Path directory, Clock clock) {
        this.directory = directory;
        this.clock = clock;
        this.keys = load();
        if (keys.isEmpty()) {
            rotate(Duration.ZERO);
        }
    }

    /** The id and bytes of the key that signs new tokens. */
    public Map.Entry<String, byte[]> signingKey() {
        return keys.lastEntry();
    }

    /** The key with this id, if it is still kept. */
    public Optional<byte[]> verificationKey(String keyId) {
        if (keyId == null || !KEY_ID.matcher(keyId).matches()) {
            return Optional.empty();
        }
        byte[] key = keys.get(keyId);
        if (key == null && keyId.compareTo(keys.lastKey()) > 0) {
            synchronized (this) {
                keys = load();
            }
            key = keys.get(keyId);
        }
        return Optional.ofNullable(key);
    }

    /**
     * Adds a new signing key and removes keys no valid token can carry any more.
     *
     * @param tokenLifetime how long an access token lives: a superseded key is kept at least this long
     * @return the new key's id
     */
    public synchronized String rotate(Duration tokenLifetime) {
        Instant now = clock.instant();
        Instant stamp = now.truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        NavigableMap<String, byte[]> existing = load();
        if (!existing.isEmpty() && !stamp.isAfter(createdAt(existing.lastKey()))) {
            stamp = createdAt(existing.lastKey()).plusMillis(1); // the newest key must sort last
        }
        byte[] fresh = new byte[32];
        RANDOM.nextBytes(fresh);
        String id = "k" + STAMP.format(stamp) + "-" + HexFormat.of().formatHex(fresh, 0, 2);
        try {
            SecretFiles.writePrivate(directory.resolve(id + ".key"), HexFormat.of().formatHex(fresh));
            NavigableMap<String, byte[]> current = load();
            // a key may go when the key after it has signed for longer than a token lives
            for (String older : current.headMap(id, false).keySet()) {
                String successor = current.higherKey(older);
                if (successor != null && createdAt(successor).plus(tokenLifetime).isBefore(now)) {
                    Files.deleteIfExists(directory.resolve(older + ".key"));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a signing key to " + directory, e);
        }
        keys = load();
        return id;
    }

    public synchronized java.util.Set<String> keyIds() {
        return java.util.Set.copyOf(keys.keySet());
    }

    private static Instant createdAt(String keyId) {
        return java.time.LocalDateTime.parse(keyId.substring(1, 18), STAMP).toInstant(ZoneOffset.UTC);
    }

    private NavigableMap<String, byte[]> load() {
        var found = new TreeMap<String, byte[]>();
        try {
            Files.createDirectories(directory);
            try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*.key")) {
                for (Path file : files) {
                    String name = file.getFileName().toString();
                    String id = name.substring(0, name.length() - ".key".length());
                    if (!KEY_ID.matcher(id).matches()) {
                        continue;
                    }
                    byte[] key = HexFormat.of().parseHex(Files.readString(file).strip());
                    if (key.length < 32) {
                        throw new IllegalStateException(file + " holds a key shorter than 256 bits");
                    }
                    found.put(id, key);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the signing keys in " + directory, e);
        }
        return found;
    }
}
