package io.miaobu.api.source;

import java.util.List;

/**
 * One page of {@link RepositoryInfo}.
 *
 * @param repositories the repositories on this page
 * @param hasMore      whether a further page exists
 */
public record RepositoryPage(List<RepositoryInfo> repositories, boolean hasMore) {

    public RepositoryPage {
        repositories = List.copyOf(repositories);
    }
}
