package io.miaobu.server.audit;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Records a successful call of a resource method in the audit log. The target is the project or deployment its path
 * names (or, for a creation, the {@code Location} it answers with). Services whose events need more detail (accounts,
 * members, tokens) record them themselves.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Audited {
    AuditAction value();
}
