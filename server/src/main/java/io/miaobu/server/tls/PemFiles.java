package io.miaobu.server.tls;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMException;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * Reads certificates and private keys from PEM files as certificate authorities and tools like certbot write them:
 * a chain ({@code CERTIFICATE} blocks, leaf first) and an unencrypted key in PKCS#8 ({@code PRIVATE KEY}), PKCS#1
 * ({@code RSA PRIVATE KEY}) or SEC1 ({@code EC PRIVATE KEY}) form. Errors say what is wrong with which file.
 */
public final class PemFiles {

    private PemFiles() {
    }

    /**
     * The key and chain in two files, checked to belong together.
     *
     * @throws IllegalArgumentException when a file is missing, unreadable or holds the wrong thing, or the key is not
     *                                  the certificate's; the message names the file
     */
    public static CertifiedKey read(Path certificateFile, Path keyFile) {
        List<X509Certificate> chain = certificates(certificateFile);
        PrivateKey key = privateKey(keyFile);
        try {
            return new CertifiedKey(key, chain);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(keyFile + " does not go with " + certificateFile + ": "
                    + e.getMessage(), e);
        }
    }

    /** Every certificate in a PEM file, in order. */
    public static List<X509Certificate> certificates(Path file) {
        var chain = new ArrayList<X509Certificate>();
        var converter = new JcaX509CertificateConverter();
        for (Object object : objects(file)) {
            if (object instanceof X509CertificateHolder holder) {
                try {
                    chain.add(converter.getCertificate(holder));
                } catch (CertificateException e) {
                    throw new IllegalArgumentException(file + " holds a certificate that cannot be read: "
                            + e.getMessage(), e);
                }
            }
        }
        if (chain.isEmpty()) {
            throw new IllegalArgumentException(file + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
        }
        return chain;
    }

    /** The one private key in a PEM file. */
    public static PrivateKey privateKey(Path file) {
        var converter = new JcaPEMKeyConverter();
        PrivateKey key = null;
        for (Object object : objects(file)) {
            PrivateKey found;
            try {
                if (object instanceof PEMKeyPair pair) {
                    found = converter.getPrivateKey(pair.getPrivateKeyInfo());
                } else if (object instanceof PrivateKeyInfo info) {
                    found = converter.getPrivateKey(info);
                } else if (object instanceof PEMEncryptedKeyPair || object instanceof PKCS8EncryptedPrivateKeyInfo) {
                    throw new IllegalArgumentException(file + " holds an encrypted private key; give the key"
                            + " unencrypted (and readable by the server's user only)");
                } else {
                    continue;
                }
            } catch (PEMException e) {
                throw new IllegalArgumentException(file + " holds a private key that cannot be read: "
                        + e.getMessage(), e);
            }
            if (key != null) {
                throw new IllegalArgumentException(file + " holds more than one private key");
            }
            key = found;
        }
        if (key == null) {
            throw new IllegalArgumentException(file + " holds no PEM private key (-----BEGIN PRIVATE KEY-----)");
        }
        return key;
    }

    private static List<Object> objects(Path file) {
        var objects = new ArrayList<>();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
             var parser = new PEMParser(reader)) {
            for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
                objects.add(object);
            }
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + " does not exist", e);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(file + " cannot be read as PEM: " + e.getMessage(), e);
        }
        return objects;
    }
}
