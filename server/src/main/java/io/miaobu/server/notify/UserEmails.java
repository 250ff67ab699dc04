package io.miaobu.server.notify;

import io.miaobu.server.audit.Actor;
import io.miaobu.server.audit.AuditAction;
import io.miaobu.server.audit.AuditLog;
import io.miaobu.server.web.UserFacingException;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** People's email addresses, where notifications for them go. Optional; each person sets their own. */
public final class UserEmails {

    private final Jdbi jdbi;
    private final AuditLog audit;

    public UserEmails(Jdbi jdbi, AuditLog audit) {
        this.jdbi = jdbi;
        this.audit = audit;
    }

    public Optional<String> of(long userId) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT email FROM users WHERE id = ?").bind(0, userId)
                .mapTo(String.class).findOne());
    }

    /**
     * Sets (or, with a blank value, removes) a person's address.
     *
     * @throws UserFacingException 400 on the field {@code email} when it is not an address
     */
    public Optional<String> set(long userId, String username, String email, Actor actor) {
        String value = email == null || email.isBlank() ? null : email.strip();
        if (value != null && (value.length() > 320 || !NotificationChannels.EMAIL.matcher(value).matches())) {
            throw UserFacingException.invalid("email", "This is not an email address.");
        }
        jdbi.useHandle(handle -> handle.createUpdate("UPDATE users SET email = ? WHERE id = ?").bind(0, value)
                .bind(1, userId).execute());
        audit.record(actor, AuditAction.EMAIL_CHANGED, "user:" + username, value == null ? "removed" : "set");
        return Optional.ofNullable(value);
    }
}
