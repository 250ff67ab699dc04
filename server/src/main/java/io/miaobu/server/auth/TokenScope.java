package io.miaobu.server.auth;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * What an API token may be used for. {@code admin} includes {@code deploy}, which includes {@code read}; what a
 * token can reach is still limited by its owner's roles.
 */
public enum TokenScope {
    READ,
    DEPLOY,
    ADMIN;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether a token holding {@code granted} may make a request needing this scope. */
    public boolean isGrantedBy(Set<TokenScope> granted) {
        return granted.stream().anyMatch(scope -> scope.compareTo(this) >= 0);
    }

    public static Optional<TokenScope> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        for (TokenScope scope : values()) {
            if (scope.name().equalsIgnoreCase(text.strip())) {
                return Optional.of(scope);
            }
        }
        return Optional.empty();
    }

    public static Set<TokenScope> all() {
        return EnumSet.allOf(TokenScope.class);
    }
}
