package io.miaobu.plugin.aliyun.rpc;

import io.miaobu.api.ExtensionException;

/**
 * Alibaba Cloud refused or could not answer an RPC API call. The message is in words for the user and never contains
 * the AccessKey secret or a request parameter that may be secret; {@link #code()} is Alibaba's error code
 * ({@code SignatureDoesNotMatch}, {@code Forbidden.RAM}, ...) or the SDK's ({@code SDK.ServerUnreachable}).
 */
public final class AliyunApiException extends ExtensionException {

    private static final long serialVersionUID = 1L;

    private final String code;
    private final String action;

    AliyunApiException(String userMessage, String code, String action, Throwable cause) {
        super(userMessage, cause);
        this.code = code == null ? "" : code;
        this.action = action;
    }

    /** Alibaba's or the SDK's error code; empty when there was none. */
    public String code() {
        return code;
    }

    /** The API action that failed, e.g. {@code AddCdnDomain}. */
    public String action() {
        return action;
    }

    /** Whether the code is one of {@code codes}. */
    public boolean is(String... codes) {
        for (String candidate : codes) {
            if (candidate.equals(code)) {
                return true;
            }
        }
        return false;
    }

    /** Whether the keys themselves were refused (unknown id, wrong secret), so no other call can work either. */
    public boolean credentialsRefused() {
        return AliyunRpcClient.CREDENTIAL_CODES.contains(code);
    }

    /** Whether the RAM user lacks the permission for the action. */
    public boolean permissionDenied() {
        return code.startsWith("Forbidden") || code.equals("NoPermission");
    }
}
