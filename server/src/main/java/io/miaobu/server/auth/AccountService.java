package io.miaobu.server.auth;

import io.miaobu.server.audit.Actor;
import io.miaobu.server.audit.AuditAction;
import io.miaobu.server.audit.AuditLog;
import io.miaobu.server.web.UserFacingException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;
import io.miaobu.server.notify.NotificationChannels;
import org.jdbi.v3.core.Handle;
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
    private final LockoutPolicy lockout;
    private final AuditLog audit;
    private final Clock clock;

    public AccountService(Jdbi jdbi, PasswordHasher hasher, Path secretsDirectory, LockoutPolicy lockout,
                          AuditLog audit, Clock clock) {
        this.jdbi = jdbi;
        this.users = jdbi.onDemand(UserDao.class);
        this.hasher = hasher;
        this.setupTokenFile = secretsDirectory.resolve("initial-setup-token");
        this.lockout = lockout;
        this.audit = audit;
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

    /**
     * Signs a user in: the user whose credentials these are, unless the account is locked. Counts failures: after
     * the policy's threshold the account locks, each time for longer. A wrong username and a wrong password look the
     * same and take the same time.
     *
     * @throws UserFacingException 401 for wrong credentials, 403 ({@code account_locked}) for a locked account
     */
    public User signIn(String username, String password, Actor actor) {
        if (username == null || password == null || password.length() > MAX_PASSWORD_LENGTH
                || username.length() > 64) {
            throw wrongCredentials();
        }
        Optional<User> found = users.findByUsername(username.strip());
        if (found.isEmpty()) {
            hasher.verifyAgainstDummy(password.toCharArray());
            audit.record(actor, AuditAction.SIGN_IN_FAILED, "user:" + username.strip(), "no such user");
            throw wrongCredentials();
        }
        User user = found.get();
        Instant now = clock.instant();
        if (user.isLockedAt(now)) {
            audit.record(actor, AuditAction.SIGN_IN_FAILED, "user:" + user.username(), "account locked");
            throw locked(user.lockedUntil());
        }
        if (!PasswordHasher.isUsable(user.passwordHash())) {
            // no password can be right, so guessing one is no threat to the account: not counted towards a lock,
            // which would also shut its owner out of their external sign-in
            hasher.verifyAgainstDummy(password.toCharArray());
            audit.record(actor, AuditAction.SIGN_IN_FAILED, "user:" + user.username(),
                    "no password set: signs in through an external account");
            throw wrongCredentials();
        }
        if (!hasher.verify(user.passwordHash(), password.toCharArray())) {
            recordFailure(user, actor, now);
            throw wrongCredentials();
        }
        if (user.failedSignIns() > 0 || user.lockCount() > 0 || user.lockedUntil() != null) {
            users.updateLock(0, 0, null, user.id());
        }
        audit.record(new Actor(user.id(), user.username(), actor.clientAddress()), AuditAction.SIGNED_IN,
                "user:" + user.username(), null);
        return users.findById(user.id()).orElseThrow();
    }

    /**
     * Signs in a user an identity provider vouched for: refused like a password sign-in while the account is locked;
     * a success clears the failure count like one.
     *
     * @param method how they proved who they are, for the audit log (e.g. {@code "github"})
     * @throws UserFacingException 403 ({@code account_locked}) for a locked account, 404 for a deleted one
     */
    public User signInExternally(long userId, String method, Actor actor) {
        User user = get(userId);
        if (user.isLockedAt(clock.instant())) {
            audit.record(actor, AuditAction.SIGN_IN_FAILED, "user:" + user.username(), "account locked (" + method
                    + ")");
            throw locked(user.lockedUntil());
        }
        if (user.failedSignIns() > 0 || user.lockCount() > 0 || user.lockedUntil() != null) {
            users.updateLock(0, 0, null, user.id());
        }
        audit.record(new Actor(user.id(), user.username(), actor.clientAddress()), AuditAction.SIGNED_IN,
                "user:" + user.username(), "with " + method);
        return get(userId);
    }

    /** Whether the user has a password (accounts made through an external sign-in start without one). */
    public boolean hasPassword(long userId) {
        return PasswordHasher.isUsable(get(userId).passwordHash());
    }

    /**
     * Creates a user without a password in the caller's transaction, named after {@code login} ({@link
     * #usernameFrom}), with {@code -2}, {@code -3}, … appended while that name is taken.
     */
    public User createWithoutPassword(Handle handle, String login, String email) {
        UserDao dao = handle.attach(UserDao.class);
        String base = usernameFrom(login);
        String name = base;
        for (int n = 2; dao.findByUsername(name).isPresent(); n++) {
            String suffix = "-" + n;
            name = base.substring(0, Math.min(base.length(), 64 - suffix.length())) + suffix;
        }
        Instant now = clock.instant();
        long id = dao.insert(name, PasswordHasher.NO_PASSWORD, Role.USER, now, null);
        if (email != null && !email.isBlank() && email.strip().length() <= 320
                && NotificationChannels.EMAIL.matcher(email.strip()).matches()) {
            handle.createUpdate("UPDATE users SET email = ? WHERE id = ?").bind(0, email.strip()).bind(1, id)
                    .execute();
        }
        return dao.findById(id).orElseThrow();
    }

    /**
     * A valid username made of an external login: lowercased, every run of other characters turned into one
     * {@code -}, starting with a letter or digit, 2 to 64 characters ({@code user} when nothing is left).
     */
    public static String usernameFrom(String login) {
        String name = (login == null ? "" : login).strip().toLowerCase(java.util.Locale.ROOT)
                .replaceAll("[^a-z0-9._-]+", "-")
                .replaceAll("^[^a-z0-9]+", "")
                .replaceAll("-+$", "");
        if (name.length() > 64) {
            name = name.substring(0, 64);
        }
        if (name.isEmpty()) {
            return "user";
        }
        return name.length() < 2 ? name + "-user" : name;
    }

    private synchronized void recordFailure(User stale, Actor actor, Instant now) {
        User user = users.findById(stale.id()).orElse(stale);
        int failures = user.failedSignIns() + 1;
        if (failures < lockout.threshold()) {
            users.updateLock(failures, user.lockCount(), user.lockedUntil(), user.id());
            audit.record(actor, AuditAction.SIGN_IN_FAILED, "user:" + user.username(),
                    "wrong password (" + failures + " of " + lockout.threshold() + " before a lock)");
            return;
        }
        int lockNumber = user.lockCount() + 1;
        Instant until = now.plus(lockout.lockDuration(lockNumber));
        users.updateLock(0, lockNumber, until, user.id());
        audit.record(actor, AuditAction.SIGN_IN_FAILED, "user:" + user.username(), "wrong password");
        audit.record(Actor.system(), AuditAction.ACCOUNT_LOCKED, "user:" + user.username(),
                "after " + lockout.threshold() + " failed sign-ins, until " + until + " (lock " + lockNumber + ")");
        LOG.warn("Locked account '{}' until {} after {} failed sign-ins", user.username(), until,
                lockout.threshold());
    }

    private static UserFacingException wrongCredentials() {
        return UserFacingException.unauthorized("Wrong username or password.");
    }

    private static UserFacingException locked(Instant until) {
        return new UserFacingException(403, "account_locked", "This account is locked after too many failed"
                + " sign-ins until " + until.truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                + " (UTC). An admin can unlock it sooner.", null);
    }

    /** Lifts a lock (admins). */
    public User unlock(long userId, Actor admin) {
        User user = get(userId);
        users.updateLock(0, 0, null, userId);
        audit.record(admin, AuditAction.ACCOUNT_UNLOCKED, "user:" + user.username(), null);
        return get(userId);
    }

    /** Locks an account now, until {@code until} (admins). */
    public User lock(long userId, Instant until, Actor admin) {
        User user = get(userId);
        if (until == null || !until.isAfter(clock.instant())) {
            throw UserFacingException.invalid("until", "Lock until a time in the future.");
        }
        users.updateLock(0, user.lockCount(), until, userId);
        audit.record(admin, AuditAction.ACCOUNT_LOCKED, "user:" + user.username(), "by an admin, until " + until);
        return get(userId);
    }

    /**
     * Changes the caller's own password after checking the current one.
     *
     * @throws UserFacingException 400 naming the field at fault
     */
    public void changePassword(User user, String current, String fresh, String confirm, Actor actor) {
        // an account made through an external sign-in sets its first password without a current one
        boolean hasPassword = PasswordHasher.isUsable(get(user.id()).passwordHash());
        if (hasPassword && (current == null || current.length() > MAX_PASSWORD_LENGTH
                || !hasher.verify(get(user.id()).passwordHash(), current.toCharArray()))) {
            throw UserFacingException.invalid("currentPassword", "The current password is not correct.");
        }
        if (fresh == null || !fresh.equals(confirm)) {
            throw UserFacingException.invalid("passwordConfirm", "The new passwords do not match.");
        }
        checkPassword(fresh);
        users.updatePassword(hasher.hash(fresh.toCharArray()), clock.instant(), user.id());
        audit.record(actor, AuditAction.PASSWORD_CHANGED, "user:" + user.username(), null);
    }

    /** Sets a user's password (admins); the user's sessions are ended by the caller. */
    public void resetPassword(long userId, String fresh, Actor admin) {
        User user = get(userId);
        checkPassword(fresh);
        users.updatePassword(hasher.hash(fresh.toCharArray()), clock.instant(), userId);
        users.updateLock(0, 0, null, userId);
        audit.record(admin, AuditAction.PASSWORD_RESET, "user:" + user.username(), null);
    }

    /** Changes a user's server role (admins); the last admin cannot be demoted. */
    public synchronized User changeRole(long userId, Role role, Actor admin) {
        User user = get(userId);
        if (role == null) {
            throw UserFacingException.invalid("role", "The role is admin or user.");
        }
        if (user.role() == role) {
            return user;
        }
        if (user.isAdmin() && users.countAdmins() <= 1) {
            throw UserFacingException.conflict("This is the last admin. Make someone else an admin first.");
        }
        users.updateRole(role, userId);
        audit.record(admin, AuditAction.ROLE_CHANGED, "user:" + user.username(),
                user.role().name().toLowerCase(java.util.Locale.ROOT) + " -> "
                        + role.name().toLowerCase(java.util.Locale.ROOT));
        return get(userId);
    }

    /** Deletes a user (admins); the last admin and oneself cannot be deleted. Their projects stay. */
    public synchronized void delete(long userId, Actor admin) {
        User user = get(userId);
        if (admin.userId() != null && admin.userId() == userId) {
            throw UserFacingException.conflict("You cannot delete your own account here.");
        }
        if (user.isAdmin() && users.countAdmins() <= 1) {
            throw UserFacingException.conflict("This is the last admin. Make someone else an admin first.");
        }
        users.delete(userId);
        audit.record(admin, AuditAction.USER_DELETED, "user:" + user.username(), null);
    }

    public List<User> list() {
        return users.list();
    }

    public User get(long id) {
        return users.findById(id).orElseThrow(() -> UserFacingException.notFound("There is no user " + id + "."));
    }

    public Optional<User> findByUsername(String username) {
        return username == null ? Optional.empty() : users.findByUsername(username.strip());
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
        checkPassword(password);
        if (users.findByUsername(name).isPresent()) {
            throw UserFacingException.invalid("username", "That username is taken.");
        }
        String hash = hasher.hash(password.toCharArray());
        Instant now = clock.instant();
        long id = jdbi.withExtension(UserDao.class, dao -> dao.insert(name, hash, role, now, now));
        return users.findById(id).orElseThrow();
    }

    /** Creates an account (admins), recorded in the audit log. */
    public User createUser(String username, String password, Role role, Actor admin) {
        User user = createUser(username, password, role);
        audit.record(admin, AuditAction.USER_CREATED, "user:" + user.username(),
                "role " + role.name().toLowerCase(java.util.Locale.ROOT));
        return user;
    }

    private static void checkPassword(String password) {
        if (password == null || password.length() < MIN_PASSWORD_LENGTH) {
            throw UserFacingException.invalid("password",
                    "A password needs at least " + MIN_PASSWORD_LENGTH + " characters.");
        }
        if (password.length() > MAX_PASSWORD_LENGTH) {
            throw UserFacingException.invalid("password", "A password may have at most 1024 characters.");
        }
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
