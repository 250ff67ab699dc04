package io.miaobu.plugin.aliyun.oss;

import io.miaobu.api.Secret;
import io.miaobu.api.config.ConfigValues;
import io.miaobu.plugin.aliyun.AliyunSettings;
import io.miaobu.plugin.aliyun.oss.standin.OssStandIn;
import java.util.Map;

/** Plugin settings pointing at a stand-in. */
final class TestSettings {

    static final String KEY_ID = "LTAI5tStandInKey";
    static final String SECRET = "stand-in-secret-0123456789";

    private TestSettings() {
    }

    static ConfigValues of(OssStandIn oss, String signatureVersion) {
        return of(oss, signatureVersion, KEY_ID, SECRET);
    }

    static ConfigValues of(OssStandIn oss, String signatureVersion, String keyId, String secret) {
        return ConfigValues.of(Map.of(
                AliyunSettings.ACCESS_KEY_ID, keyId,
                AliyunSettings.REGION, OssStandIn.REGION,
                AliyunSettings.BUCKET, oss.bucket(),
                AliyunSettings.ENDPOINT, oss.endpoint().toString(),
                AliyunSettings.KEY_PREFIX, "miaobu/sites",
                AliyunSettings.SIGNATURE_VERSION, signatureVersion),
                Map.of(AliyunSettings.ACCESS_KEY_SECRET, Secret.of(secret)));
    }
}
