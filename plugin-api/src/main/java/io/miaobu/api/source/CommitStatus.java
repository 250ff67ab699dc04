package io.miaobu.api.source;

import java.net.URI;

/**
 * The state of a deployment of one commit, reported back to the source host (e.g. a GitHub commit status).
 *
 * @param repository  the repository
 * @param commitSha   the exact commit built
 * @param state       the state
 * @param targetUrl   the deployment's URL when it succeeded, the log's otherwise; may be {@code null}
 * @param description one short sentence
 * @param context     which status of the commit this is, stable across its updates: {@code miaobu/<site>} for
 *                    production, {@code miaobu/<site>/preview} for a preview
 */
public record CommitStatus(SourceRepository repository, String commitSha, State state, URI targetUrl,
                           String description, String context) {

    /** The states a source host understands. */
    public enum State { PENDING, SUCCESS, FAILURE, ERROR }
}
