package io.miaobu.api.cert;

/**
 * Answers ACME HTTP-01 challenges; provided by the host, which serves
 * {@code /.well-known/acme-challenge/<token>} on every domain it serves. Thread-safe.
 */
public interface Http01Solver {

    /** Starts answering {@code token} with {@code keyAuthorization} for {@code domain}. */
    void publish(String domain, String token, String keyAuthorization);

    /** Stops answering {@code token}. */
    void remove(String domain, String token);
}
