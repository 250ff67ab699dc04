package io.miaobu.api.config;

import io.miaobu.api.Secret;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Saved settings as handed to an extension call: plain values as strings, secret ones as {@link Secret}.
 * Immutable; defaults from the schema have already been applied by the host.
 */
public final class ConfigValues {

    /** No values. */
    public static final ConfigValues EMPTY = new ConfigValues(Map.of(), Map.of());

    private final Map<String, String> plain;
    private final Map<String, Secret> secrets;

    private ConfigValues(Map<String, String> plain, Map<String, Secret> secrets) {
        this.plain = Collections.unmodifiableMap(new LinkedHashMap<>(plain));
        this.secrets = Collections.unmodifiableMap(new LinkedHashMap<>(secrets));
    }

    /** Values from two maps; a name may appear in only one. */
    public static ConfigValues of(Map<String, String> plain, Map<String, Secret> secrets) {
        for (String name : secrets.keySet()) {
            if (plain.containsKey(name)) {
                throw new IllegalArgumentException(name + " is both plain and secret");
            }
        }
        return new ConfigValues(plain, secrets);
    }

    /** Plain values only. */
    public static ConfigValues of(Map<String, String> plain) {
        return of(plain, Map.of());
    }

    /** The plain value, if one was saved or defaulted. */
    public Optional<String> get(String name) {
        return Optional.ofNullable(plain.get(name)).filter(v -> !v.isEmpty());
    }

    /** The plain value, or {@code fallback}. */
    public String get(String name, String fallback) {
        return get(name).orElse(fallback);
    }

    /** The value as a boolean; absent is {@code fallback}. */
    public boolean getBoolean(String name, boolean fallback) {
        return get(name).map(Boolean::parseBoolean).orElse(fallback);
    }

    /** The value as a long; absent is {@code fallback}. */
    public long getLong(String name, long fallback) {
        return get(name).map(Long::parseLong).orElse(fallback);
    }

    /** The secret value, if one was saved. */
    public Optional<Secret> secret(String name) {
        return Optional.ofNullable(secrets.get(name)).filter(s -> !s.isEmpty());
    }

    /** The plain values, for display. Secrets are not included. */
    public Map<String, String> plainValues() {
        return plain;
    }

    /** The names of the secret values that are set. */
    public java.util.Set<String> secretNames() {
        return secrets.keySet();
    }

    /** Shows plain values and the names of secrets, never their values. */
    @Override
    public String toString() {
        return "ConfigValues" + plain + " secrets=" + secrets.keySet();
    }
}
