package io.miaobu.plugin.aliyun.oss;

import com.aliyun.oss.OSS;
import com.aliyun.oss.OSSException;
import com.aliyun.oss.model.DeleteObjectsRequest;
import com.aliyun.oss.model.ListObjectsV2Request;
import com.aliyun.oss.model.ListObjectsV2Result;
import com.aliyun.oss.model.OSSObject;
import com.aliyun.oss.model.OSSObjectSummary;
import com.aliyun.oss.model.ObjectMetadata;
import com.aliyun.oss.model.PutObjectRequest;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.miaobu.plugin.aliyun.AliyunSettings;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The few OSS operations the deploy target uses, on one bucket, each retried with exponential backoff when OSS answers
 * 5xx or the connection fails, and each giving up at once when the thread is interrupted (cancel). Failures come out as
 * {@link io.miaobu.api.ExtensionException} in words.
 */
final class OssBucket implements AutoCloseable {

    static final int MULTI_DELETE_LIMIT = 1000;

    private final OSS client;
    private final AliyunSettings settings;
    private final Retry retry;

    OssBucket(AliyunSettings settings, OssTuning tuning) {
        this.settings = settings;
        this.client = OssClients.open(settings, tuning.parallelism() + 2);
        this.retry = Retry.of("oss", RetryConfig.custom()
                .maxAttempts(tuning.attempts())
                .intervalFunction(IntervalFunction.ofExponentialRandomBackoff(tuning.firstBackoff(), 2.0, 0.3))
                .retryOnException(e -> !Thread.currentThread().isInterrupted() && OssFailures.isTransient(e))
                .failAfterMaxAttempts(false)
                .build());
    }

    AliyunSettings settings() {
        return settings;
    }

    boolean exists(String key) throws InterruptedException {
        return call("checking " + key, () -> client.doesObjectExist(settings.bucket(), key));
    }

    /** The object's content, or empty when there is no such key. */
    Optional<byte[]> read(String key) throws InterruptedException {
        return call("reading " + key, () -> {
            try (OSSObject object = client.getObject(settings.bucket(), key);
                 InputStream in = object.getObjectContent()) {
                return Optional.of(in.readAllBytes());
            } catch (OSSException e) {
                if ("NoSuchKey".equals(e.getErrorCode())) {
                    return Optional.empty();
                }
                throw e;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    void put(String key, byte[] content, String contentType, String cacheControl) throws InterruptedException {
        call("writing " + key, () -> client.putObject(new PutObjectRequest(settings.bucket(), key,
                new ByteArrayInputStream(content), metadata(content.length, contentType, cacheControl))));
    }

    void put(String key, Path file, long size, String contentType, String cacheControl) throws InterruptedException {
        call("uploading " + key, () -> client.putObject(new PutObjectRequest(settings.bucket(), key, file.toFile(),
                metadata(size, contentType, cacheControl))));
    }

    void delete(String key) throws InterruptedException {
        call("deleting " + key, () -> {
            client.deleteObject(settings.bucket(), key);
            return null;
        });
    }

    /** Every object below {@code prefix}, page by page. */
    List<OSSObjectSummary> list(String prefix) throws InterruptedException {
        List<OSSObjectSummary> all = new ArrayList<>();
        String token = null;
        do {
            String next = token;
            ListObjectsV2Result page = call("listing objects below " + prefix, () -> client.listObjectsV2(
                    new ListObjectsV2Request(settings.bucket()).withPrefix(prefix).withMaxKeys(1000)
                            .withContinuationToken(next)));
            all.addAll(page.getObjectSummaries());
            token = page.isTruncated() ? page.getNextContinuationToken() : null;
        } while (token != null);
        return all;
    }

    /** Deletes the keys, {@value #MULTI_DELETE_LIMIT} per request. */
    void deleteAll(List<String> keys) throws InterruptedException {
        for (int from = 0; from < keys.size(); from += MULTI_DELETE_LIMIT) {
            List<String> batch = keys.subList(from, Math.min(keys.size(), from + MULTI_DELETE_LIMIT));
            call("deleting " + batch.size() + " objects", () -> client.deleteObjects(
                    new DeleteObjectsRequest(settings.bucket()).withKeys(new ArrayList<>(batch)).withQuiet(true)));
        }
    }

    /** A raw client call for the connection check, which reports each error itself. */
    OSS client() {
        return client;
    }

    private <T> T call(String action, Supplier<T> operation) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException("cancelled before " + action);
        }
        try {
            return Retry.decorateSupplier(retry, operation).get();
        } catch (RuntimeException e) {
            if (Thread.interrupted() || OssFailures.isInterruption(e)) {
                InterruptedException interrupted = new InterruptedException("cancelled while " + action);
                interrupted.initCause(e);
                throw interrupted;
            }
            throw OssFailures.toExtension(e, action, settings);
        }
    }

    private static ObjectMetadata metadata(long size, String contentType, String cacheControl) {
        ObjectMetadata metadata = new ObjectMetadata();
        metadata.setContentLength(size);
        metadata.setContentType(contentType);
        if (cacheControl != null) {
            metadata.setCacheControl(cacheControl);
        }
        return metadata;
    }

    @Override
    public void close() {
        client.shutdown();
    }
}
