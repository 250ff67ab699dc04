package io.miaobu.server.plugin;

import org.pf4j.DefaultVersionManager;
import org.pf4j.VersionManager;

/**
 * Semantic versions and ranges as PF4J reads them ({@code >=1.0.0 & <2.0.0}, {@code ^1.2}, {@code 1.x}, {@code *}),
 * so that what the plugin manager checks before an install is what PF4J checks when it loads the plugin.
 */
final class PluginVersions {

    private static final VersionManager VERSIONS = new DefaultVersionManager();

    private PluginVersions() {
    }

    static boolean isValid(String version) {
        try {
            VERSIONS.compareVersions(version, version);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * Whether {@code version} is in {@code range}; an empty range or {@code *} takes any version, and a bare
     * {@code 1.2.0} means {@code >=1.2.0}, as PF4J reads {@code plugin.requires}.
     */
    static boolean satisfies(String version, String range) {
        String constraint = range == null ? "" : range.strip();
        if (constraint.isEmpty() || constraint.equals("*")) {
            return true;
        }
        if (constraint.matches("^\\d+\\.\\d+\\.\\d+$")) {
            constraint = ">=" + constraint;
        }
        try {
            return VERSIONS.checkVersionConstraint(release(version), constraint);
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Whether a range can be read at all. */
    static boolean isValidRange(String range) {
        try {
            satisfiesStrictly("0.0.0", range);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    static int compare(String a, String b) {
        return VERSIONS.compareVersions(a, b);
    }

    /** The core's version as plugins see it: a snapshot counts as its release. */
    static String release(String version) {
        return version.replaceFirst("-.*$", "");
    }

    private static void satisfiesStrictly(String version, String range) {
        String constraint = range == null ? "" : range.strip();
        if (constraint.isEmpty() || constraint.equals("*")) {
            return;
        }
        if (constraint.matches("^\\d+\\.\\d+\\.\\d+$")) {
            constraint = ">=" + constraint;
        }
        VERSIONS.checkVersionConstraint(version, constraint);
    }
}
