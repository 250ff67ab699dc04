package io.miaobu.plugin.aliyun.rpc.standin;

import java.util.Map;

/** An action's parameters with Alibaba's answers for missing or malformed ones. */
record Params(Map<String, String> values) {

    String required(String name) {
        String value = values.get(name);
        if (value == null || value.isEmpty()) {
            throw RpcError.missing(name);
        }
        return value;
    }

    String optional(String name, String fallback) {
        String value = values.get(name);
        return value == null || value.isEmpty() ? fallback : value;
    }

    int integer(String name, int fallback) {
        String value = values.get(name);
        if (value == null || value.isEmpty()) {
            return fallback;
        }
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new RpcError(400, "InvalidParameter", "The parameter " + name + " is not a number.");
        }
    }
}
