package io.miaobu.server.secrets;

import io.miaobu.server.auth.SecretFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Encrypts secrets at rest (plugin settings, project variables, OAuth tokens) with AES-256-GCM. A sealed value reads
 * {@code mb1:<key id>:<base64url(nonce || ciphertext || tag)>}; the caller's purpose ({@code "plugin-setting"},
 * {@code "project-variable"}, …) is the additional authenticated data, so a value copied into a column of another
 * purpose does not open.
 *
 * <p>Keys live in one directory (the server's is {@code MIAOBU_HOME/secrets/secretbox}), one owner-only file
 * {@code <key id>.key} of 64 hex characters per key. Key ids begin with their UTC creation time, so the greatest id is
 * the newest key: it seals, and every key opens. The composition root creates one instance and hands it to the
 * services that store secrets and to {@link SecretRotation}.
 *
 * <p>Thread-safe: keys are held in memory and replaced as a whole. {@link #reload()} re-reads the directory when
 * another process may have changed it. Rotate within the running server (its {@link SecretRotation}) or while it is
 * stopped: a server that keeps sealing with a key another process removed writes values nobody can open.
 *
 * <p>Constructing, {@link #addKey()}, {@link #removeKey} and {@link #reload()} throw {@link UncheckedIOException} when
 * the key directory cannot be read or written, and {@link IllegalStateException} when a key file is not a 256-bit hex
 * key. {@link #open} throws {@link SecretBoxException}.
 */
public final class SecretBox {

    static final String VERSION = "mb1";

    private static final Logger log = LoggerFactory.getLogger(SecretBox.class);
    private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final Pattern STAMPED_KEY_ID = Pattern.compile("k(\\d{17})-[0-9a-f]{4}");
    private static final Pattern SEALED = Pattern.compile(VERSION + ":[A-Za-z0-9_-]{1,64}:[A-Za-z0-9_-]+");
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMddHHmmssSSS")
            .withZone(ZoneOffset.UTC);
    private static final String KEY_SUFFIX = ".key";
    private static final String TRANSFORMATION = "AES/GCM/NoPadding";
    private static final int KEY_BYTES = 32;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final Base64.Encoder BASE64 = Base64.getUrlEncoder().withoutPadding();

    private final Path keyDirectory;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private volatile NavigableMap<String, SecretKey> keys;

    public SecretBox(Path keyDirectory) {
        this(keyDirectory, Clock.systemUTC());
    }

    SecretBox(Path keyDirectory, Clock clock) {
        this.keyDirectory = keyDirectory;
        this.clock = clock;
        createDirectory();
        synchronized (this) {
            keys = load();
            if (keys.isEmpty()) {
                addKey();
            }
        }
    }

    /** Whether {@code value} has the shape of a sealed value; says nothing about whether it opens. */
    public static boolean looksSealed(String value) {
        return value != null && SEALED.matcher(value).matches();
    }

    /**
     * Encrypts {@code plaintext} with the current key.
     *
     * @throws IllegalArgumentException if {@code plaintext} or {@code purpose} is null
     */
    public String seal(String plaintext, String purpose) {
        if (plaintext == null) {
            throw new IllegalArgumentException("cannot seal null");
        }
        requirePurpose(purpose);
        var current = keys.lastEntry();
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        byte[] ciphertext;
        try {
            Cipher cipher = cipher(Cipher.ENCRYPT_MODE, current.getValue(), nonce, purpose);
            ciphertext = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available in this JVM", e);
        }
        byte[] payload = ByteBuffer.allocate(NONCE_BYTES + ciphertext.length).put(nonce).put(ciphertext).array();
        return VERSION + ":" + current.getKey() + ":" + BASE64.encodeToString(payload);
    }

    /**
     * Decrypts a value {@link #seal sealed} for the same {@code purpose} with any key this box holds.
     *
     * @throws SecretBoxException if the value is malformed, its key is unknown, it was tampered with, or it was
     *                            sealed for another purpose
     * @throws IllegalArgumentException if {@code purpose} is null
     */
    public String open(String sealed, String purpose) {
        requirePurpose(purpose);
        String keyId = keyIdOf(sealed)
                .orElseThrow(() -> new SecretBoxException("cannot open a malformed sealed value"));
        SecretKey key = keys.get(keyId);
        if (key == null) {
            throw new SecretBoxException("cannot open a value sealed with unknown key " + keyId);
        }
        byte[] payload;
        try {
            payload = Base64.getUrlDecoder().decode(sealed.substring(sealed.lastIndexOf(':') + 1));
        } catch (IllegalArgumentException e) {
            // the decoder's message quotes the offending character
            throw new SecretBoxException("cannot open a malformed sealed value (key " + keyId + ")");
        }
        if (payload.length < NONCE_BYTES + TAG_BITS / 8) {
            throw new SecretBoxException("cannot open a malformed sealed value (key " + keyId + ")");
        }
        try {
            Cipher cipher = cipher(Cipher.DECRYPT_MODE, key, Arrays.copyOf(payload, NONCE_BYTES), purpose);
            byte[] plain = cipher.doFinal(payload, NONCE_BYTES, payload.length - NONCE_BYTES);
            return new String(plain, StandardCharsets.UTF_8);
        } catch (AEADBadTagException e) {
            throw new SecretBoxException("cannot open a value sealed with key " + keyId + " for purpose '" + purpose
                    + "': it was altered or sealed for another purpose");
        } catch (GeneralSecurityException e) {
            throw new SecretBoxException("cannot open a value sealed with key " + keyId, e);
        }
    }

    /** Whether {@code sealed} was sealed with the current key; false for anything malformed. */
    public boolean isCurrent(String sealed) {
        return keyIdOf(sealed).map(currentKeyId()::equals).orElse(false);
    }

    /** The id of the key that seals: the greatest, that is the newest, id held. */
    public String currentKeyId() {
        return keys.lastKey();
    }

    /** Every key id held, ascending (oldest first). */
    public Set<String> keyIds() {
        return Collections.unmodifiableSortedSet(new TreeSet<>(keys.keySet()));
    }

    /**
     * Creates a new key, which becomes current. Values sealed earlier keep opening with their own keys.
     *
     * @return the new key's id
     */
    public synchronized String addKey() {
        String keyId = nextKeyId();
        byte[] material = new byte[KEY_BYTES];
        random.nextBytes(material);
        try {
            SecretFiles.writePrivate(keyFile(keyId), HexFormat.of().formatHex(material));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a secret key to " + keyDirectory, e);
        }
        var updated = new TreeMap<>(keys);
        updated.put(keyId, new SecretKeySpec(material, "AES"));
        keys = Collections.unmodifiableNavigableMap(updated);
        log.info("Created secret key {} in {}", keyId, keyDirectory);
        return keyId;
    }

    /**
     * Deletes a key: values sealed with it no longer open. Does nothing if the key is not held.
     *
     * @throws IllegalArgumentException if {@code keyId} is the current key
     */
    public synchronized void removeKey(String keyId) {
        if (keyId.equals(currentKeyId())) {
            throw new IllegalArgumentException("cannot remove the current secret key " + keyId);
        }
        if (!keys.containsKey(keyId)) {
            return;
        }
        try {
            Files.deleteIfExists(keyFile(keyId));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete secret key " + keyId + " in " + keyDirectory, e);
        }
        var updated = new TreeMap<>(keys);
        updated.remove(keyId);
        keys = Collections.unmodifiableNavigableMap(updated);
        log.info("Removed secret key {} from {}", keyId, keyDirectory);
    }

    /**
     * Re-reads the key directory, for when another process has rotated.
     *
     * @throws IllegalStateException if the directory holds no key any more (the keys in memory are kept)
     */
    public synchronized void reload() {
        var loaded = load();
        if (loaded.isEmpty()) {
            throw new IllegalStateException("no secret key left in " + keyDirectory + "; keeping the keys in memory");
        }
        keys = loaded;
    }

    /** The key id of a well-formed sealed value. */
    static Optional<String> keyIdOf(String sealed) {
        if (!looksSealed(sealed)) {
            return Optional.empty();
        }
        return Optional.of(sealed.substring(VERSION.length() + 1, sealed.lastIndexOf(':')));
    }

    private static void requirePurpose(String purpose) {
        if (purpose == null) {
            throw new IllegalArgumentException("a purpose is required");
        }
    }

    private static Cipher cipher(int mode, SecretKey key, byte[] nonce, String purpose)
            throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance(TRANSFORMATION);
        cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
        cipher.updateAAD(purpose.getBytes(StandardCharsets.UTF_8));
        return cipher;
    }

    /** Strictly greater than every id held, even if the clock went back or two keys are made in one millisecond. */
    private String nextKeyId() {
        // ids carry milliseconds: compare at that precision, or a key made later in the same millisecond could sort
        // before the newest by its random suffix
        Instant stamp = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        String newest = keys.isEmpty() ? null : keys.lastKey();
        if (newest != null) {
            var stamped = STAMPED_KEY_ID.matcher(newest);
            if (!stamped.matches()) {
                throw new IllegalStateException("cannot create a key id after " + newest);
            }
            Instant newestStamp = LocalDateTime.parse(stamped.group(1), STAMP).toInstant(ZoneOffset.UTC);
            if (!stamp.isAfter(newestStamp)) {
                stamp = newestStamp.plusMillis(1);
            }
        }
        while (true) {
            byte[] suffix = new byte[2];
            random.nextBytes(suffix);
            String keyId = "k" + STAMP.format(stamp) + "-" + HexFormat.of().formatHex(suffix);
            if (!Files.exists(keyFile(keyId))) {
                return keyId;
            }
        }
    }

    private Path keyFile(String keyId) {
        return keyDirectory.resolve(keyId + KEY_SUFFIX);
    }

    private void createDirectory() {
        if (Files.isDirectory(keyDirectory)) {
            return;
        }
        try {
            Files.createDirectories(keyDirectory);
            if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
                Files.setPosixFilePermissions(keyDirectory, PosixFilePermissions.fromString("rwx------"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the secret key directory " + keyDirectory, e);
        }
    }

    private NavigableMap<String, SecretKey> load() {
        var found = new TreeMap<String, SecretKey>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(keyDirectory, "*" + KEY_SUFFIX)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                String keyId = name.substring(0, name.length() - KEY_SUFFIX.length());
                if (!KEY_ID.matcher(keyId).matches()) {
                    throw new IllegalStateException(file + " is not named <key id>.key (letters, digits, _ and -)");
                }
                found.put(keyId, new SecretKeySpec(parseKey(file), "AES"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the secret keys in " + keyDirectory, e);
        }
        return Collections.unmodifiableNavigableMap(found);
    }

    private static byte[] parseKey(Path file) throws IOException {
        String hex = Files.readString(file, StandardCharsets.US_ASCII).strip();
        if (hex.length() != KEY_BYTES * 2 || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            throw new IllegalStateException(file + " does not hold a 256-bit key as 64 hex characters");
        }
        return HexFormat.of().parseHex(hex);
    }
}
