package io.miaobu.plugin.aliyun.rpc.standin;

/** An Alibaba error answer: HTTP status, code and message. */
final class RpcError extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;

    RpcError(int status, String code, String message) {
        super(message);
        this.status = status;
        this.code = code;
    }

    int status() {
        return status;
    }

    String code() {
        return code;
    }

    static RpcError missing(String name) {
        return new RpcError(400, "MissingParameter", "The input parameter \"" + name + "\" that is mandatory for"
                + " processing this request is not supplied.");
    }
}
