package io.miaobu.api.deploy;

import java.util.Set;

/**
 * What going live changed.
 *
 * @param changedPaths site paths ({@code /index.html}) whose content differs from the deployment that was live, for a
 *                     CDN purge; empty when nothing is cached in front of the target or it is unknown
 */
public record ActivationResult(Set<String> changedPaths) {

    /** Nothing to purge. */
    public static final ActivationResult NOTHING_TO_PURGE = new ActivationResult(Set.of());

    public ActivationResult {
        changedPaths = Set.copyOf(changedPaths);
    }
}
