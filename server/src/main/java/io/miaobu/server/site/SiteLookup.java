package io.miaobu.server.site;

import java.util.Optional;

/**
 * Finds the live deployment for a host label. Called on every site request, on Jetty's threads, so implementations
 * must be fast, thread-safe and non-blocking (the core answers from an in-memory map swapped atomically on go-live).
 */
public interface SiteLookup {

    /**
     * @param label the host's first label, lower case: {@code my-site} for {@code my-site.localhost},
     *              {@code 42--my-site} for a preview
     * @return the deployment to serve, or empty when nothing is deployed under that label
     */
    Optional<ServedSite> find(String label);
}
