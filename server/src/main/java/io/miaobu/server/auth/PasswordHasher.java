package io.miaobu.server.auth;

import de.mkammerer.argon2.Argon2;
import de.mkammerer.argon2.Argon2Factory;

/** Argon2id password hashes (OWASP's recommended parameters: m=19 MiB, t=2, p=1). Thread-safe. */
public final class PasswordHasher {

    private static final int ITERATIONS = 2;
    private static final int MEMORY_KIB = 19 * 1024;
    private static final int PARALLELISM = 1;

    /**
     * Stored for accounts made through an external sign-in: not an Argon2 hash, so no password ever verifies against
     * it. The user can set a password later (without a current one) on the account page.
     */
    public static final String NO_PASSWORD = "!no-password";

    private final Argon2 argon2 = Argon2Factory.create(Argon2Factory.Argon2Types.ARGON2id);
    /**
     * Verified against when the user does not exist, so that timing does not tell whether a username exists. Made on
     * first use, not at start.
     */
    private volatile String dummyHash;

    public String hash(char[] password) {
        try {
            return argon2.hash(ITERATIONS, MEMORY_KIB, PARALLELISM, password);
        } finally {
            argon2.wipeArray(password);
        }
    }

    /** Whether a password can verify against {@code hash}: false for {@link #NO_PASSWORD}. */
    public static boolean isUsable(String hash) {
        return hash != null && hash.startsWith("$argon2");
    }

    public boolean verify(String hash, char[] password) {
        try {
            if (!isUsable(hash)) {
                return false;
            }
            return argon2.verify(hash, password);
        } finally {
            argon2.wipeArray(password);
        }
    }

    public void verifyAgainstDummy(char[] password) {
        String hash = dummyHash;
        if (hash == null) {
            hash = hash("not-a-password".toCharArray());
            dummyHash = hash;
        }
        verify(hash, password);
    }
}
