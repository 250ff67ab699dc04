package io.miaobu.plugin.acme;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import org.junit.jupiter.api.Test;

class AccountKeysTest {

    @Test
    void theSameSeedGivesTheSameKeyPair() {
        assertThat(AccountKeys.derive("seed").getPublic().getEncoded())
                .isEqualTo(AccountKeys.derive("seed").getPublic().getEncoded());
        assertThat(AccountKeys.derive("seed").getPrivate().getEncoded())
                .isEqualTo(AccountKeys.derive("seed").getPrivate().getEncoded());
    }

    @Test
    void differentSeedsGiveDifferentKeys() {
        assertThat(AccountKeys.derive("seed-a").getPublic().getEncoded())
                .isNotEqualTo(AccountKeys.derive("seed-b").getPublic().getEncoded());
    }

    @Test
    void theDerivedPublicKeyBelongsToThePrivateKeyOnP256() throws Exception {
        KeyPair pair = AccountKeys.derive("another seed");
        assertThat(((ECPublicKey) pair.getPublic()).getParams().getCurve().getField().getFieldSize()).isEqualTo(256);
        byte[] data = "hello".getBytes(StandardCharsets.US_ASCII);
        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(pair.getPrivate());
        signer.update(data);
        Signature verifier = Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(pair.getPublic());
        verifier.update(data);
        assertThat(verifier.verify(signer.sign())).isTrue();
    }
}
