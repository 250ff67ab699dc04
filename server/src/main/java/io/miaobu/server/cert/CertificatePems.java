package io.miaobu.server.cert;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;

/** TEMPORARY stand-in until the PEM validation lands. */
public final class CertificatePems {

    private CertificatePems() {
    }

    public static List<X509Certificate> parseChain(String pem) {
        try {
            return CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))
                    .stream().map(c -> (X509Certificate) c).toList();
        } catch (CertificateException e) {
            throw new CertificateRejectedException("Not a PEM certificate: " + e.getMessage());
        }
    }

    public static PrivateKey parseKey(String pem) {
        try (var parser = new PEMParser(new StringReader(pem))) {
            Object object = parser.readObject();
            var converter = new JcaPEMKeyConverter();
            if (object instanceof PEMKeyPair pair) {
                return converter.getKeyPair(pair).getPrivate();
            }
            if (object instanceof PrivateKeyInfo info) {
                return converter.getPrivateKey(info);
            }
            throw new CertificateRejectedException("Not a PEM private key.");
        } catch (IOException e) {
            throw new CertificateRejectedException("Not a PEM private key.");
        }
    }

    public static String toPem(List<X509Certificate> chain) {
        var out = new StringWriter();
        try (var writer = new JcaPEMWriter(out)) {
            for (X509Certificate certificate : chain) {
                writer.writeObject(certificate);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toString();
    }

    public static String toPem(PrivateKey key) {
        var out = new StringWriter();
        try (var writer = new JcaPEMWriter(out)) {
            writer.writeObject(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(key, null));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toString();
    }
}
