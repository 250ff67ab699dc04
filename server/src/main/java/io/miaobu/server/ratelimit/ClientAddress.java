package io.miaobu.server.ratelimit;

import io.miaobu.server.http.TrustedProxyCustomizer;
import jakarta.annotation.Priority;
import jakarta.inject.Provider;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.Context;
import org.eclipse.jetty.server.Request;

/**
 * The address of the client that sent a request, for Jersey code: rate limits, audit logs.
 *
 * <p>Jersey's Jetty container does not copy the peer's address into the {@link ContainerRequestContext}; it binds the
 * Jetty {@link Request} for injection instead (only through a {@link Provider}, as the class cannot be proxied). This
 * pre-matching filter reads {@link Request#getRemoteAddr(Request)} from it, which is the real client once
 * {@link TrustedProxyCustomizer} has handled a trusted proxy's forwarding headers, and stores it in the request
 * property {@link #PROPERTY}, where {@link #of} finds it. Register one instance in the Jersey app; it never refuses a
 * request.
 */
@PreMatching
@Priority(Priorities.AUTHENTICATION - 200)
public final class ClientAddress implements ContainerRequestFilter {

    /** The request property holding the address: an IP literal as Java writes it (IPv6 in full, no brackets). */
    public static final String PROPERTY = "miaobu.clientAddress";
    /** What {@link #of} answers when the address is not known. */
    public static final String UNKNOWN = "unknown";

    @Context
    private Provider<Request> jettyRequest;

    @Override
    public void filter(ContainerRequestContext request) {
        String address = jettyRequest == null ? null : Request.getRemoteAddr(jettyRequest.get());
        request.setProperty(PROPERTY, address == null || address.isEmpty() ? UNKNOWN : withoutBrackets(address));
    }

    /**
     * The client's IP address, e.g. {@code 203.0.113.7} or {@code 2001:db8:0:0:0:0:0:7}. Falls back to {@link #UNKNOWN}
     * (which then stands for every such request, sharing one rate-limit bucket) when this filter has not run: it is
     * not registered, or Jersey runs outside Jetty, as in an in-memory test container.
     */
    public static String of(ContainerRequestContext request) {
        return request.getProperty(PROPERTY) instanceof String address ? address : UNKNOWN;
    }

    private static String withoutBrackets(String address) {
        return address.startsWith("[") && address.endsWith("]") ? address.substring(1, address.length() - 1) : address;
    }
}
