package io.miaobu.server.cert;

/** Where a domain's certificate comes from. */
public enum CertificateSource {
    /** Issued by an installed {@code CertificateIssuer} and renewed automatically. */
    ISSUED,
    /** Uploaded by a user; never renewed by the server, only warned about before it expires. */
    UPLOADED
}
