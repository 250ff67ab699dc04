package io.miaobu.api.host;

import java.io.IOException;

/**
 * Outgoing HTTP for extensions that call addresses users typed in (webhooks), run by the host with its timeouts and
 * the admin's rules on which addresses may be called: by default nothing on loopback, private, link-local or other
 * internal networks (the cloud metadata address included), so that a user cannot make the server probe its own
 * network. The check applies to the address actually connected to, after DNS. Redirects are not followed: a 3xx
 * answer is returned as it is. Thread-safe; injected into extension constructors.
 */
public interface OutboundHttp {

    /**
     * Sends one request and reads the answer (its body up to {@link OutboundResponse#BODY_LIMIT} bytes).
     *
     * @throws AddressNotAllowedException when the host name resolves to an address the admin has not allowed
     * @throws IOException                when the request could not be made or timed out
     * @throws InterruptedException       when the calling thread was interrupted
     */
    OutboundResponse send(OutboundRequest request) throws IOException, InterruptedException;
}
