package io.miaobu.api.notify;

import java.util.Arrays;
import java.util.Optional;

/**
 * The kinds of {@link NotificationEvent}, each with the stable name subscriptions and webhook payloads use. Names
 * never change once released; new kinds may be added in minor versions.
 */
public enum EventKind {
    DEPLOYMENT_QUEUED("deployment.queued", Scope.PROJECT),
    DEPLOYMENT_STARTED("deployment.started", Scope.PROJECT),
    DEPLOYMENT_SUCCEEDED("deployment.succeeded", Scope.PROJECT),
    DEPLOYMENT_FAILED("deployment.failed", Scope.PROJECT),
    DEPLOYMENT_CANCELLED("deployment.cancelled", Scope.PROJECT),
    DEPLOYMENT_BROKEN("deployment.broken", Scope.PROJECT),
    DEPLOYMENT_FIXED("deployment.fixed", Scope.PROJECT),
    ROLLED_BACK("deployment.rolled_back", Scope.PROJECT),
    PREVIEW_READY("preview.ready", Scope.PROJECT),
    PREVIEW_REMOVED("preview.removed", Scope.PROJECT),
    CERTIFICATE_ISSUED("certificate.issued", Scope.PROJECT),
    CERTIFICATE_RENEWED("certificate.renewed", Scope.PROJECT),
    CERTIFICATE_RENEWAL_FAILING("certificate.renewal_failing", Scope.PROJECT),
    CERTIFICATE_EXPIRING("certificate.expiring", Scope.PROJECT),
    DOMAIN_VERIFIED("domain.verified", Scope.PROJECT),
    DOMAIN_FAILED("domain.failed", Scope.PROJECT),
    PLUGIN_FAILED("plugin.failed", Scope.SERVER),
    TEST("test", Scope.SERVER);

    /** Whether an event of this kind belongs to a project or to the server as a whole. */
    public enum Scope { PROJECT, SERVER }

    private final String wireName;
    private final Scope scope;

    EventKind(String wireName, Scope scope) {
        this.wireName = wireName;
        this.scope = scope;
    }

    /** The stable name, e.g. {@code deployment.failed}. */
    public String wireName() {
        return wireName;
    }

    public Scope scope() {
        return scope;
    }

    /** The kind with this stable name. */
    public static Optional<EventKind> byWireName(String name) {
        return Arrays.stream(values()).filter(kind -> kind.wireName.equals(name)).findFirst();
    }

    @Override
    public String toString() {
        return wireName;
    }
}
