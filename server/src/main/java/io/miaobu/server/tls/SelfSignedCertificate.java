package io.miaobu.server.tls;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The certificate the HTTPS connector presents when no other fits and none is configured: self-signed for the
 * server's public host, made at start and kept in memory only. Browsers warn about it; it exists so that TLS works at
 * all (for tests, and before any certificate is issued) without an operator having to make one.
 */
public final class SelfSignedCertificate {

    private static final Duration VALIDITY = Duration.ofDays(365);

    private SelfSignedCertificate() {
    }

    /** A new EC P-256 key and a certificate for {@code host} (a DNS name or an IP literal), valid for a year. */
    public static CertifiedKey generate(String host, Clock clock) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
            KeyPair keys = generator.generateKeyPair();
            Instant now = clock.instant();
            var subject = new X500Principal("CN=" + (host.isEmpty() ? "localhost" : host.replace(",", "")));
            var builder = new JcaX509v3CertificateBuilder(subject, new BigInteger(64, new SecureRandom()),
                    Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(VALIDITY)), subject,
                    keys.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            if (!host.isEmpty()) {
                boolean address = host.indexOf(':') >= 0 || host.chars().allMatch(c -> c == '.' || Character.isDigit(c));
                builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(
                        new GeneralName(address ? GeneralName.iPAddress : GeneralName.dNSName,
                                address ? stripBrackets(host) : host)));
            }
            var signer = new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate());
            X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(builder.build(signer));
            return new CertifiedKey(keys.getPrivate(), List.of(certificate));
        } catch (GeneralSecurityException | java.io.IOException
                 | org.bouncycastle.operator.OperatorCreationException e) {
            throw new IllegalStateException("Could not make a self-signed certificate for " + host, e);
        }
    }

    private static String stripBrackets(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }
}
