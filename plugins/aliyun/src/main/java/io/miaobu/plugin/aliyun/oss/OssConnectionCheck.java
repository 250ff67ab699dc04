package io.miaobu.plugin.aliyun.oss;

import com.aliyun.oss.OSS;
import com.aliyun.oss.model.ListObjectsV2Request;
import com.aliyun.oss.model.OSSObject;
import io.miaobu.api.ExtensionException;
import io.miaobu.api.config.ConnectionCheck;
import io.miaobu.plugin.aliyun.AliyunSettings;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * The "test connection" of the settings page: one check per OSS permission the deploy target needs, in the order a
 * publish needs them, each naming OSS's error code when it fails.
 */
final class OssConnectionCheck {

    // when these fail nothing else can work, so the remaining checks are not tried
    private static final Set<String> FATAL = Set.of("SignatureDoesNotMatch", "InvalidAccessKeyId", "NoSuchBucket");

    private final AliyunSettings settings;
    private final OssTuning tuning;
    private final List<ConnectionCheck> checks = new ArrayList<>();

    OssConnectionCheck(AliyunSettings settings, OssTuning tuning) {
        this.settings = settings;
        this.tuning = tuning;
    }

    List<ConnectionCheck> run() {
        String bucketName = settings.bucket();
        String prefix = settings.prefixPath();
        String where = prefix.isEmpty() ? "in bucket " + bucketName : "below " + prefix + " in bucket " + bucketName;
        String credentials = "AccessKey " + settings.accessKeyId() + " is accepted and bucket " + bucketName
                + " exists (GetBucketInfo)";
        String list = "List objects " + where + " (ListObjects)";
        String write = "Write an object " + where + " (PutObject)";
        String read = "Read it back (GetObject)";
        String delete = "Delete it (DeleteObject)";
        OssBucket bucket;
        try {
            bucket = new OssBucket(settings, new OssTuning(1, 1, tuning.firstBackoff()));
        } catch (ExtensionException e) {
            return List.of(ConnectionCheck.failed(credentials, e.getMessage()));
        }
        try (bucket) {
            OSS client = bucket.client();
            String key = prefix + OssDeployTarget.CHECK_FOLDER + UUID.randomUUID();
            byte[] probe = ("Miaobu connection check " + key).getBytes(StandardCharsets.UTF_8);
            if (!check(credentials, "checking bucket " + bucketName, () -> {
                var info = client.getBucketInfo(bucketName);
                return "Bucket " + bucketName + " in " + info.getBucket().getLocation();
            }) && fatal()) {
                return notTried(list, write, read, delete);
            }
            check(list, "listing objects " + where, () -> client.listObjectsV2(
                    new ListObjectsV2Request(bucketName).withPrefix(prefix).withMaxKeys(1)).getKeyCount()
                    + " object(s) on the first page");
            if (!check(write, "writing " + key, () -> {
                client.putObject(bucketName, key, new ByteArrayInputStream(probe));
                return "Wrote " + key;
            })) {
                return notTried(read, delete);
            }
            check(read, "reading " + key, () -> {
                try (OSSObject object = client.getObject(bucketName, key); InputStream in = object.getObjectContent()) {
                    byte[] back = in.readAllBytes();
                    if (!Arrays.equals(back, probe)) {
                        throw new ExtensionException("The object read back differs from the one written ("
                                + back.length + " bytes instead of " + probe.length + ").");
                    }
                    return "Read " + back.length + " bytes";
                } catch (IOException e) {
                    throw new ExtensionException("Reading it back failed: " + e.getMessage(), e);
                }
            });
            check(delete, "deleting " + key, () -> {
                client.deleteObject(bucketName, key);
                return "Deleted " + key;
            });
            return List.copyOf(checks);
        }
    }

    private boolean check(String name, String action, java.util.function.Supplier<String> probe) {
        try {
            checks.add(ConnectionCheck.passed(name, probe.get()));
            return true;
        } catch (RuntimeException e) {
            lastCode = OssFailures.code(e);
            checks.add(ConnectionCheck.failed(name, OssFailures.toExtension(e, action, settings).getMessage()));
            return false;
        }
    }

    private String lastCode;

    private boolean fatal() {
        return lastCode == null || FATAL.contains(lastCode);
    }

    private List<ConnectionCheck> notTried(String... names) {
        for (String name : names) {
            checks.add(ConnectionCheck.failed(name, "Not tried: the check above failed."));
        }
        return List.copyOf(checks);
    }
}
