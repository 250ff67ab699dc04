package io.miaobu.server.site;

/**
 * Finds what the site server does for a host that is not under the sites domain: a project's custom domain. Called
 * on every such request, on Jetty's selector threads, so implementations answer from memory without blocking.
 */
public interface CustomDomainLookup {

    /** No custom domains: every host outside the sites domain goes on to the app. */
    CustomDomainLookup NONE = host -> null;

    /**
     * @param host the request's host, lower case, without port or trailing dot
     * @return what to do for it, or null when it is not an active custom domain
     */
    Route route(String host);

    /**
     * One active custom domain: serve the live deployment of site {@code label}, or redirect to {@code redirectHost}.
     *
     * @param label        the site label ({@link SiteLookup}) whose deployment is served; null when redirecting
     * @param redirectHost the project's primary domain to send visitors to (301, same path); null when serving
     */
    record Route(String label, String redirectHost) {

        public static Route serve(String label) {
            return new Route(label, null);
        }

        public static Route redirect(String host) {
            return new Route(null, host);
        }
    }
}
