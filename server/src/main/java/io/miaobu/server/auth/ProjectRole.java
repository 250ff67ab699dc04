package io.miaobu.server.auth;

import java.util.Locale;
import java.util.Optional;

/** A user's role in one project, weakest first: each role can do everything the ones before it can. */
public enum ProjectRole {
    /** Sees the project, its deployments and logs. */
    VIEWER,
    /** Also deploys, rolls back and changes settings. */
    MAINTAINER,
    /** Also manages members and deletes the project. */
    OWNER;

    public boolean atLeast(ProjectRole other) {
        return compareTo(other) >= 0;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The role named {@code text} ("viewer", "MAINTAINER", …); empty for anything else. */
    public static Optional<ProjectRole> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        for (ProjectRole role : values()) {
            if (role.name().equalsIgnoreCase(text.strip())) {
                return Optional.of(role);
            }
        }
        return Optional.empty();
    }
}
