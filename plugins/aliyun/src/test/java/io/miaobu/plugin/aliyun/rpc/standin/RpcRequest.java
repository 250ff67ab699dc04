package io.miaobu.plugin.aliyun.rpc.standin;

import java.util.Map;

/**
 * One request the stand-in received.
 *
 * @param method    {@code GET} or {@code POST}
 * @param action    the {@code Action} parameter
 * @param version   the {@code Version} parameter (which API)
 * @param params    query and form parameters, {@code Signature} left out
 * @param status    the HTTP status answered
 * @param errorCode Alibaba's error code answered, or empty when the action succeeded
 */
public record RpcRequest(String method, String action, String version, Map<String, String> params, int status,
                         String errorCode) {

    /** A parameter, or {@code null}. */
    public String param(String name) {
        return params.get(name);
    }

    /** Whether the action succeeded. */
    public boolean succeeded() {
        return errorCode.isEmpty();
    }
}
