package io.miaobu.server.site;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A live deployment as the site server sees it.
 *
 * @param root        the deployment's directory; everything served comes from inside it
 * @param spaFallback whether unknown HTML routes are answered with the root {@code index.html}
 */
public record ServedSite(Path root, boolean spaFallback) {
    public ServedSite {
        Objects.requireNonNull(root, "root");
    }
}
