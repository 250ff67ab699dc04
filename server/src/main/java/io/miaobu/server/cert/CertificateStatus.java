package io.miaobu.server.cert;

/** How far a domain's certificate is. */
public enum CertificateStatus {
    /** Requested, not issued yet (the scheduler will order it). */
    PENDING,
    /** A certificate is stored and served (a renewal may be failing: see the last error). */
    ISSUED,
    /** Never issued, and the last attempt failed; retried with backoff. */
    FAILED
}
