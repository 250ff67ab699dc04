package io.miaobu.plugin.acme;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPrivateKeySpec;
import java.security.spec.ECPublicKeySpec;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;

/**
 * The ACME account key, derived from the {@code account-key} setting so that the plugin keeps no state of its own: the
 * same setting always gives the same P-256 key pair and therefore the same account at the CA.
 */
final class AccountKeys {

    private static final X9ECParameters P256 = CustomNamedCurves.getByName("secp256r1");

    private AccountKeys() {
    }

    static KeyPair derive(String seed) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(seed.getBytes(StandardCharsets.UTF_8));
            // d in [1, n-1]; reducing a 256-bit hash mod n-1 has a negligible bias for a 256-bit n
            BigInteger n = P256.getN();
            BigInteger d = new BigInteger(1, hash).mod(n.subtract(BigInteger.ONE)).add(BigInteger.ONE);
            org.bouncycastle.math.ec.ECPoint q = P256.getG().multiply(d).normalize();

            AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
            parameters.init(new ECGenParameterSpec("secp256r1"));
            ECParameterSpec spec = parameters.getParameterSpec(ECParameterSpec.class);
            KeyFactory factory = KeyFactory.getInstance("EC");
            ECPoint w = new ECPoint(q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger());
            return new KeyPair(factory.generatePublic(new ECPublicKeySpec(w, spec)),
                    factory.generatePrivate(new ECPrivateKeySpec(d, spec)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("P-256 is not available in this JDK", e);
        }
    }
}
