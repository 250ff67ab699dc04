package io.miaobu.api.host;

import java.net.http.HttpClient;

/**
 * Outgoing HTTP for extensions, configured by the host (timeouts, proxy, and the checks the admin set on which
 * addresses may be called). Thread-safe.
 */
public interface OutboundHttp {

    /** A client for the extension's calls; callers may keep it for the life of the call but not in a field. */
    HttpClient client();
}
