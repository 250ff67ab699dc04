package io.miaobu.server.auth;

import de.mkammerer.argon2.Argon2;
import de.mkammerer.argon2.Argon2Factory;

/** Argon2id password hashes (OWASP's recommended parameters: m=19 MiB, t=2, p=1). Thread-safe. */
public final class PasswordHasher {

    private static final int ITERATIONS = 2;
    private static final int MEMORY_KIB = 19 * 1024;
    private static final int PARALLELISM = 1;

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

    public boolean verify(String hash, char[] password) {
        try {
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
