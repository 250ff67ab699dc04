package io.miaobu.api.source;

import java.nio.file.Path;
import java.util.Objects;

/**
 * What to check out, and where.
 *
 * @param repository the repository
 * @param commitSha  the exact commit to check out, or {@code null} for the tip of {@link SourceRepository#branch()}.
 *                   When given, the checkout must be exactly that commit or fail.
 * @param workspace  an empty directory, owned by this build, to check the files out into
 */
public record CheckoutRequest(SourceRepository repository, String commitSha, Path workspace) {

    public CheckoutRequest {
        Objects.requireNonNull(repository, "repository");
        Objects.requireNonNull(workspace, "workspace");
    }
}
