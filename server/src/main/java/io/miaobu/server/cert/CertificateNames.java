package io.miaobu.server.cert;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;

/** The names people know certificates by: the DNS names they cover, and a CA's common name. */
final class CertificateNames {

    private static final int DNS_NAME = 2;

    private CertificateNames() {
    }

    /** The SAN dNSName entries; the subject's CN only when there are none, as browsers did before SANs. */
    static List<String> dnsNames(X509Certificate certificate) {
        List<String> names = new ArrayList<>();
        Collection<List<?>> alternatives;
        try {
            alternatives = certificate.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            alternatives = null;
        }
        if (alternatives != null) {
            for (List<?> alternative : alternatives) {
                if (alternative.get(0) instanceof Integer type && type == DNS_NAME
                        && alternative.get(1) instanceof String name) {
                    names.add(name);
                }
            }
        }
        if (names.isEmpty()) {
            String commonName = attribute(certificate.getSubjectX500Principal(), BCStyle.CN);
            if (!commonName.isEmpty()) {
                names.add(commonName);
            }
        }
        return List.copyOf(names);
    }

    /** The CN, else the O, else the whole distinguished name: "R3" rather than "CN=R3,O=Let's Encrypt,C=US". */
    static String shortName(X500Principal principal) {
        String commonName = attribute(principal, BCStyle.CN);
        if (!commonName.isEmpty()) {
            return commonName;
        }
        String organization = attribute(principal, BCStyle.O);
        return organization.isEmpty() ? principal.getName(X500Principal.RFC2253) : organization;
    }

    /** What a user calls this certificate: the names it covers, or its subject's short name. */
    static String describe(X509Certificate certificate) {
        List<String> names = dnsNames(certificate);
        return names.isEmpty() ? shortName(certificate.getSubjectX500Principal()) : String.join(", ", names);
    }

    /** The serial number as openssl prints it: upper-case hex, an even number of digits. */
    static String serial(X509Certificate certificate) {
        String hex = certificate.getSerialNumber().toString(16).toUpperCase(Locale.ROOT);
        return hex.length() % 2 == 0 ? hex : "0" + hex;
    }

    private static String attribute(X500Principal principal, ASN1ObjectIdentifier type) {
        RDN[] rdns = X500Name.getInstance(principal.getEncoded()).getRDNs(type);
        if (rdns.length == 0) {
            return "";
        }
        var value = rdns[0].getFirst().getValue();
        return value instanceof ASN1String string ? string.getString() : value.toString();
    }
}
