package io.miaobu.server.auth;

import io.miaobu.server.web.UserFacingException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accounts: the first-run setup (no default password, ever), sign-in, and user creation.
 *
 * <p>On a first start without users, either {@code initial.admin.user}/{@code initial.admin.password} create the admin
 * (unattended installs), or a one-time setup token is written to {@code MIAOBU_HOME/secrets/initial-setup-token} and
 * logged; the setup page asks for it before creating the first admin, then the token file is deleted.
 */
public final class AccountService {

    private static final Logger LOG = LoggerFactory.getLogger(AccountService.class);
    private static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{1,63}");
    static final int MIN_PASSWORD_LENGTH = 10;
    private static final int MAX_PASSWORD_LENGTH = 1024;

    private final Jdbi jdbi;
    private final UserDao users;
    private final PasswordHasher hasher;
    private final Path setupTokenFile;
    private final Clock clock;

    public AccountService(Jdbi jdbi, PasswordHasher hasher, Path secretsDirectory, Clock clock) {
        this.jdbi = jdbi;
        this.users = jdbi.onDemand(UserDao.class);
        this.hasher = hasher;
        this.setupTokenFile = secretsDirectory.resolve("initial-setup-token");
        this.clock = clock;
    }

    /** Runs at start: creates the configured admin, or prepares the setup token when there is no account yet. */
    public void prepareFirstRun(Optional<String> initialAdminUser, Optional<String> initialAdminPassword) {
        if (users.count() > 0) {
            deleteSetupToken();
            return;
        }
        if (initialAdminUser.isPresent() && initialAdminPassword.isPresent()) {
            createUser(initialAdminUser.get(), initialAdminPassword.get(), Role.ADMIN);
            LOG.info("Created the initial admin '{}' from the configuration", initialAdminUser.get());
            return;
        }
        try {
            if (!Files.exists(setupTokenFile)) {
                byte[] bytes = new byte[24];
                new SecureRandom().nextBytes(bytes);
                SecretFiles.writePrivate(setupTokenFile, HexFormat.of().formatHex(bytes));
            }
            LOG.info("""

                    *************************************************************
                    Miaobu needs its first admin. Open the setup page and enter the
                    one-time setup token, found in {}:
                        {}
                    *************************************************************""",
                    setupTokenFile, Files.readString(setupTokenFile).strip());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + setupTokenFile, e);
        }
    }

    public boolean needsSetup() {
        return users.count() == 0;
    }

    public Path setupTokenFile() {
        return setupTokenFile;
    }

    /** Creates the first admin if the token matches and no account exists yet. */
    public synchronized User completeSetup(String token, String username, String password, String passwordConfirm) {
        if (!needsSetup()) {
            throw UserFacingException.conflict("Setup is already complete. Sign in instead.");
        }
        if (!setupTokenMatches(token)) {
            throw UserFacingException.invalid("setupToken", "The setup token is not correct.");
        }
        if (password == null || !password.equals(passwordConfirm)) {
            throw UserFacingException.invalid("passwordConfirm", "The passwords do not match.");
        }
        User admin = createUser(username, password, Role.ADMIN);
        deleteSetupToken();
        LOG.info("Setup complete: created admin '{}'", admin.username());
        return admin;
    }

    /** The user whose credentials these are; a wrong username and a wrong password look the same. */
    public Optional<User> authenticate(String username, String password) {
        if (username == null || password == null || password.length() > MAX_PASSWORD_LENGTH) {
            return Optional.empty();
        }
        Optional<User> user = users.findByUsername(username.strip());
        if (user.isEmpty()) {
            hasher.verifyAgainstDummy(password.toCharArray());
            return Optional.empty();
        }
        return hasher.verify(user.get().passwordHash(), password.toCharArray()) ? user : Optional.empty();
    }

    public Optional<User> findById(long id) {
        return users.findById(id);
    }

    public User createUser(String username, String password, Role role) {
        String name = username == null ? "" : username.strip();
        if (!USERNAME.matcher(name).matches()) {
            throw UserFacingException.invalid("username",
                    "A username has 2 to 64 letters, digits, '.', '_' or '-', and starts with a letter or digit.");
        }
        if (password == null || password.length() < MIN_PASSWORD_LENGTH) {
            throw UserFacingException.invalid("password",
                    "A password needs at least " + MIN_PASSWORD_LENGTH + " characters.");
        }
        if (password.length() > MAX_PASSWORD_LENGTH) {
            throw UserFacingException.invalid("password", "A password may have at most 1024 characters.");
        }
        if (users.findByUsername(name).isPresent()) {
            throw UserFacingException.invalid("username", "That username is taken.");
        }
        String hash = hasher.hash(password.toCharArray());
        long id = jdbi.withExtension(UserDao.class, dao -> dao.insert(name, hash, role, clock.instant()));
        return users.findById(id).orElseThrow();
    }

    private boolean setupTokenMatches(String token) {
        if (token == null || !Files.exists(setupTokenFile)) {
            return false;
        }
        try {
            byte[] expected = Files.readString(setupTokenFile).strip().getBytes(StandardCharsets.UTF_8);
            return MessageDigest.isEqual(expected, token.strip().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + setupTokenFile, e);
        }
    }

    private void deleteSetupToken() {
        try {
            Files.deleteIfExists(setupTokenFile);
        } catch (IOException e) {
            LOG.warn("Could not delete the used setup token {}: {}", setupTokenFile, e.getMessage());
        }
    }
}
