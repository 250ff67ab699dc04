package io.miaobu.api.config;

/** How a {@link ConfigField} is entered, checked and stored. */
public enum ConfigFieldType {
    /** One line of text. */
    STRING,
    /** Several lines of text. */
    TEXT,
    /** A whole number. */
    INTEGER,
    /** A checkbox; the value is {@code "true"} or {@code "false"}. */
    BOOLEAN,
    /** One of {@link ConfigField#options()}. */
    CHOICE,
    /** An absolute http(s) URL. */
    URL,
    /** A write-only value, encrypted at rest, shown as ••••, handed to the extension as {@link io.miaobu.api.Secret}. */
    SECRET
}
