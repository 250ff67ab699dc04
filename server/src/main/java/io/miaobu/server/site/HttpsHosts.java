package io.miaobu.server.site;

/**
 * Which hosts the server can answer over HTTPS with a certificate of their own: the site server sends plain-HTTP
 * visitors of those hosts to HTTPS. Called on every plain-HTTP site request, on Jetty's selector threads, so
 * implementations answer from memory without blocking.
 */
@FunctionalInterface
public interface HttpsHosts {

    /** No host is moved to HTTPS: TLS is off, or its redirect is. */
    HttpsHosts NONE = host -> false;

    /**
     * @param host the request's host, lower case, without port or trailing dot
     * @return whether a valid certificate for {@code host} is served over HTTPS
     */
    boolean covers(String host);
}
