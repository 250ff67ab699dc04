package io.miaobu.server.audit;

/** The things the audit log records. The code is what is stored and what the API filters by. */
public enum AuditAction {
    SIGNED_IN("auth.signed_in"),
    SIGN_IN_FAILED("auth.sign_in_failed"),
    SIGNED_OUT("auth.signed_out"),
    EXTERNAL_SIGN_IN_REFUSED("auth.external_sign_in_refused"),
    EXTERNAL_ACCOUNT_CREATED("auth.external_account_created"),
    IDENTITY_LINKED("auth.identity_linked"),
    IDENTITY_UNLINKED("auth.identity_unlinked"),
    SESSION_ENDED("auth.session_ended"),
    REFRESH_TOKEN_REUSED("auth.refresh_token_reused"),
    ACCOUNT_LOCKED("user.locked"),
    ACCOUNT_UNLOCKED("user.unlocked"),
    PASSWORD_CHANGED("user.password_changed"),
    PASSWORD_RESET("user.password_reset"),
    USER_CREATED("user.created"),
    USER_DELETED("user.deleted"),
    ROLE_CHANGED("user.role_changed"),
    TOKEN_CREATED("token.created"),
    TOKEN_REVOKED("token.revoked"),
    PROJECT_CREATED("project.created"),
    PROJECT_DELETED("project.deleted"),
    SETTINGS_CHANGED("project.settings_changed"),
    VARIABLE_SET("project.variable_set"),
    VARIABLE_DELETED("project.variable_deleted"),
    MEMBER_ADDED("project.member_added"),
    MEMBER_ROLE_CHANGED("project.member_role_changed"),
    MEMBER_REMOVED("project.member_removed"),
    DEPLOY_TRIGGERED("deploy.triggered"),
    DEPLOY_CANCELLED("deploy.cancelled"),
    DEPLOY_ACTIVATED("deploy.activated"),
    QUEUE_CLEARED("deploy.queue_cleared"),
    DEPLOY_PINNED("deploy.pinned"),
    DEPLOY_UNPINNED("deploy.unpinned"),
    PREVIEW_REMOVED("deploy.preview_removed"),
    PLUGIN_SETTINGS_CHANGED("plugin.settings_changed"),
    PROJECT_EXTENSION_SETTINGS_CHANGED("project.extension_settings_changed"),
    PLUGIN_INSTALLED("plugin.installed"),
    PLUGIN_UPGRADED("plugin.upgraded"),
    PLUGIN_UPGRADE_ROLLED_BACK("plugin.upgrade_rolled_back"),
    PLUGIN_ENABLED("plugin.enabled"),
    PLUGIN_DISABLED("plugin.disabled"),
    PLUGIN_UNINSTALLED("plugin.uninstalled"),
    EMAIL_CHANGED("user.email_changed"),
    CHANNEL_CREATED("notify.channel_created"),
    CHANNEL_CHANGED("notify.channel_changed"),
    CHANNEL_DELETED("notify.channel_deleted"),
    DEAD_LETTER_RETRIED("notify.dead_letter_retried"),
    DEAD_LETTER_DROPPED("notify.dead_letter_dropped"),
    SECRETS_ROTATED("server.secrets_rotated"),
    SIGNING_KEY_ROTATED("server.signing_key_rotated"),
    WEBHOOK_INSTALLED("project.webhook_installed"),
    WEBHOOK_REDELIVERED("project.webhook_redelivered"),
    DOMAIN_ADDED("project.domain_added"),
    DOMAIN_CHANGED("project.domain_changed"),
    DOMAIN_REMOVED("project.domain_removed"),
    CERTIFICATE_REQUESTED("project.certificate_requested"),
    CERTIFICATE_UPLOADED("project.certificate_uploaded"),
    CERTIFICATE_REMOVED("project.certificate_removed");

    private final String code;

    AuditAction(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }
}
