package io.miaobu.plugin.aliyun.oss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.aliyun.oss.OSS;
import com.aliyun.oss.OSSException;
import com.aliyun.oss.model.DeleteObjectsRequest;
import com.aliyun.oss.model.ListObjectsRequest;
import com.aliyun.oss.model.ListObjectsV2Request;
import com.aliyun.oss.model.ListObjectsV2Result;
import com.aliyun.oss.model.OSSObjectSummary;
import io.miaobu.api.ExtensionException;
import io.miaobu.api.testkit.RecordingTaskLog;
import io.miaobu.plugin.aliyun.AliyunSettings;
import io.miaobu.plugin.aliyun.oss.standin.OssStandIn;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The real aliyun-sdk-oss against the stand-in: signatures it makes are accepted, wrong ones refused. */
class OssStandInSignatureTest {

    @TempDir
    Path temp;

    OssStandIn oss;

    @BeforeEach
    void start() throws Exception {
        oss = OssStandIn.start("sites").user(TestSettings.KEY_ID, TestSettings.SECRET);
    }

    @AfterEach
    void stop() {
        oss.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"v4", "v1"})
    void acceptsTheSdksSignaturesForEveryOperation(String version) throws Exception {
        OSS client = OssClients.open(AliyunSettings.from(TestSettings.of(oss, version)), 2);
        try {
            client.putObject("sites", "a/one.txt", new ByteArrayInputStream("one".getBytes(StandardCharsets.UTF_8)));
            client.putObject("sites", "a/two words+plus.txt",
                    new ByteArrayInputStream("two".getBytes(StandardCharsets.UTF_8)));
            client.putObject("sites", "b/three.txt", new ByteArrayInputStream("3".getBytes(StandardCharsets.UTF_8)));

            assertThat(client.doesObjectExist("sites", "a/one.txt")).isTrue();
            assertThat(client.doesObjectExist("sites", "a/none.txt")).isFalse();
            assertThat(new String(client.getObject("sites", "a/two words+plus.txt").getObjectContent()
                    .readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("two");
            List<String> keys = new ArrayList<>();
            String token = null;
            do {
                ListObjectsV2Result page = client.listObjectsV2(new ListObjectsV2Request("sites").withPrefix("a/")
                        .withMaxKeys(1).withContinuationToken(token));
                page.getObjectSummaries().forEach(s -> keys.add(s.getKey()));
                token = page.isTruncated() ? page.getNextContinuationToken() : null;
            } while (token != null);
            assertThat(keys).containsExactly("a/one.txt", "a/two words+plus.txt");
            var v1 = client.listObjects(new ListObjectsRequest("sites").withDelimiter("/").withMaxKeys(10));
            assertThat(v1.getCommonPrefixes()).containsExactly("a/", "b/");
            assertThat(client.getBucketInfo("sites").getBucket().getName()).isEqualTo("sites");
            client.deleteObjects(new DeleteObjectsRequest("sites").withKeys(List.of("a/one.txt", "b/three.txt")));
            client.deleteObject("sites", "a/two words+plus.txt");

            assertThat(oss.objects()).isEmpty();
            assertThat(oss.requests()).allSatisfy(r -> assertThat(r.headers().get("authorization"))
                    .startsWith(version.equals("v4") ? "OSS4-HMAC-SHA256 Credential=" + TestSettings.KEY_ID + "/"
                            : "OSS " + TestSettings.KEY_ID + ":"));
            assertThat(oss.requests()).allSatisfy(r -> assertThat(r.status()).isIn(200, 204, 404));
        } finally {
            client.shutdown();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"v4", "v1"})
    void refusesASignatureMadeWithTheWrongSecret(String version) {
        OSS client = OssClients.open(AliyunSettings.from(TestSettings.of(oss, version, TestSettings.KEY_ID,
                "not-the-secret")), 2);
        try {
            assertThatThrownBy(() -> client.putObject("sites", "x.txt",
                    new ByteArrayInputStream("x".getBytes(StandardCharsets.UTF_8))))
                    .isInstanceOfSatisfying(OSSException.class,
                            e -> assertThat(e.getErrorCode()).isEqualTo("SignatureDoesNotMatch"));
            assertThat(oss.objects()).isEmpty();
            assertThat(oss.requests()).singleElement().extracting(OssStandIn.Request::status).isEqualTo(403);
        } finally {
            client.shutdown();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"v4", "v1"})
    void thePluginSaysTheSecretIsWrongWithoutShowingIt(String version) throws Exception {
        Path out = Files.createDirectories(temp.resolve("out"));
        Files.writeString(out.resolve("index.html"), "hi");
        OssDeployTarget target = new OssDeployTarget();

        assertThatThrownBy(() -> target.publish(new TestPublishContext("blog", "d1", out, new RecordingTaskLog(),
                TestSettings.of(oss, version, TestSettings.KEY_ID, "wrong-secret-42"))))
                .isInstanceOf(ExtensionException.class)
                .hasMessage("OSS refused the signature (SignatureDoesNotMatch): check the AccessKey secret.")
                .hasMessageNotContaining("wrong-secret-42");
    }
}
