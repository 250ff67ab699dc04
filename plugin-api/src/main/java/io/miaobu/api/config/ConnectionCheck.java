package io.miaobu.api.config;

import java.util.Objects;

/**
 * One check of an extension's {@link io.miaobu.api.MiaobuExtension#checkConnection connection test}: a permission or
 * capability the extension needs, and whether the remote service granted it.
 *
 * @param name   what was checked, in words ("Write objects below miaobu/ in bucket sites")
 * @param passed whether it worked
 * @param detail the service's answer when it did not (never a secret), or what was found when it did
 */
public record ConnectionCheck(String name, boolean passed, String detail) {

    public ConnectionCheck {
        Objects.requireNonNull(name, "name");
        detail = detail == null ? "" : detail;
    }

    public static ConnectionCheck passed(String name, String detail) {
        return new ConnectionCheck(name, true, detail);
    }

    public static ConnectionCheck failed(String name, String detail) {
        return new ConnectionCheck(name, false, detail);
    }
}
