package io.miaobu.plugin.aliyun.oss;

import com.aliyun.oss.model.OSSObjectSummary;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.miaobu.api.ExtensionException;
import io.miaobu.api.config.ConfigValues;
import io.miaobu.api.config.ConnectionCheck;
import io.miaobu.api.deploy.ActivationResult;
import io.miaobu.api.deploy.DeployTarget;
import io.miaobu.api.deploy.PublishContext;
import io.miaobu.api.deploy.PublishedDeployment;
import io.miaobu.api.deploy.SiteDeployment;
import io.miaobu.api.host.TaskLog;
import io.miaobu.plugin.aliyun.AliyunExtension;
import io.miaobu.plugin.aliyun.AliyunSettings;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.pf4j.Extension;

/**
 * Publishes sites to one Alibaba Cloud OSS bucket, content-addressed and incremental, for Alibaba CDN with the
 * plugin's edge routine in front (see {@link SiteLayout} for the keys and docs/admin/aliyun.md for the design):
 * each distinct file is uploaded once as {@code objects/<sha256>}, a deployment is a manifest of path → object and
 * headers, and going live is one PUT of {@code live.json}.
 */
@Extension
public final class OssDeployTarget extends AliyunExtension implements DeployTarget {

    static final Duration PENDING_KEPT_FOR = Duration.ofHours(24);
    static final String CHECK_FOLDER = ".miaobu-connection-check/";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final OssTuning tuning;
    private final Clock clock;

    public OssDeployTarget() {
        this(OssTuning.DEFAULT, Clock.systemUTC());
    }

    OssDeployTarget(OssTuning tuning, Clock clock) {
        this.tuning = tuning;
        this.clock = clock;
    }

    @Override
    public String displayName() {
        return "Alibaba Cloud OSS + CDN";
    }

    @Override
    public PublishedDeployment publish(PublishContext context) throws InterruptedException {
        AliyunSettings settings = AliyunSettings.from(context.globalSettings());
        SiteLayout site = SiteLayout.of(settings.prefixPath(), context.siteKey());
        String key = SiteLayout.deploymentKey(context.deploymentKey());
        if (!Files.isDirectory(context.outputDirectory())) {
            throw new ExtensionException("The build output directory does not exist.");
        }
        List<SiteFiles.LocalFile> files;
        try {
            files = SiteFiles.read(context.outputDirectory());
        } catch (InterruptedIOException e) {
            Thread.interrupted();
            throw new InterruptedException("publishing " + key + " was cancelled");
        } catch (IOException e) {
            throw new ExtensionException("Could not read the build output: " + e.getMessage(), e);
        }
        Manifest manifest = manifest(key, files, context.singlePageApp());
        try (OssBucket bucket = new OssBucket(settings, tuning)) {
            if (bucket.exists(site.manifest(key))) {
                throw new ExtensionException("Deployment " + key + " of " + context.siteKey()
                        + " has already been published.");
            }
            bucket.put(site.pending(key), json(new PendingPublish(key, manifest.hashes(), now())),
                    "application/json", null);
            long uploaded;
            try {
                uploaded = storeObjects(bucket, site, files, context);
                bucket.put(site.manifest(key), json(manifest), "application/json", ServingMetadata.REVALIDATE);
            } catch (ExtensionException e) {
                deletePendingQuietly(bucket, site, key, context.log());
                throw e;
            }
            deletePendingQuietly(bucket, site, key, context.log());
            long total = files.stream().mapToLong(SiteFiles.LocalFile::size).sum();
            context.log().info("Published " + files.size() + " files (" + total + " bytes, " + uploaded
                    + " uploaded) to OSS bucket " + settings.bucket() + " as " + site.manifest(key));
            return new PublishedDeployment(key, URI.create("oss://" + settings.bucket() + "/" + site.manifest(key)),
                    files.size(), total, uploaded);
        }
    }

    /** HEADs every distinct object and uploads the missing ones, in parallel; returns the bytes uploaded. */
    private long storeObjects(OssBucket bucket, SiteLayout site, List<SiteFiles.LocalFile> files,
                              PublishContext context) throws InterruptedException {
        Map<String, List<SiteFiles.LocalFile>> byHash = new LinkedHashMap<>();
        for (SiteFiles.LocalFile file : files) {
            byHash.computeIfAbsent(file.sha256(), h -> new ArrayList<>()).add(file);
        }
        long filesTotal = files.size();
        long bytesTotal = files.stream().mapToLong(SiteFiles.LocalFile::size).sum();
        AtomicLong filesDone = new AtomicLong();
        AtomicLong bytesDone = new AtomicLong();
        AtomicLong uploaded = new AtomicLong();
        AtomicInteger newObjects = new AtomicInteger();
        context.progress(0, filesTotal, 0, bytesTotal);
        ExecutorService pool = Executors.newFixedThreadPool(tuning.parallelism(), threads(context.siteKey()));
        try {
            List<Future<?>> tasks = new ArrayList<>();
            for (var entry : byHash.entrySet()) {
                tasks.add(pool.submit(() -> {
                    SiteFiles.LocalFile first = entry.getValue().get(0);
                    String objectKey = site.object(entry.getKey());
                    if (!bucket.exists(objectKey)) {
                        // the object is shared by every path with this content: its own headers are informational,
                        // the manifest's are served; its content never changes, so it may be cached for good
                        bucket.put(objectKey, first.file(), first.size(), ServingMetadata.contentType(first.path()),
                                ServingMetadata.IMMUTABLE);
                        uploaded.addAndGet(first.size());
                        newObjects.incrementAndGet();
                    }
                    long sizes = entry.getValue().stream().mapToLong(SiteFiles.LocalFile::size).sum();
                    // one report at a time, so the host never sees progress go backwards
                    synchronized (filesDone) {
                        context.progress(filesDone.addAndGet(entry.getValue().size()), filesTotal,
                                bytesDone.addAndGet(sizes), bytesTotal);
                    }
                    return null;
                }));
            }
            for (Future<?> task : tasks) {
                try {
                    task.get();
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof InterruptedException interrupted) {
                        throw interrupted;
                    }
                    if (cause instanceof RuntimeException runtime) {
                        throw OssFailures.toExtension(runtime, "uploading objects", bucket.settings());
                    }
                    throw new ExtensionException("Uploading to OSS failed: " + cause, cause);
                }
            }
        } finally {
            // on failure or cancel: stop the other uploads now; they are garbage without a manifest
            pool.shutdownNow();
        }
        context.log().info(newObjects.get() + " of " + byHash.size() + " distinct files were new and uploaded");
        return uploaded.get();
    }

    @Override
    public ActivationResult activate(SiteDeployment deployment) {
        return switchPointer(deployment, null);
    }

    @Override
    public ActivationResult activatePreview(SiteDeployment deployment, String label) {
        return switchPointer(deployment, SiteLayout.previewLabel(label));
    }

    private ActivationResult switchPointer(SiteDeployment deployment, String previewLabel) {
        AliyunSettings settings = AliyunSettings.from(deployment.globalSettings());
        SiteLayout site = SiteLayout.of(settings.prefixPath(), deployment.siteKey());
        String key = SiteLayout.deploymentKey(deployment.deployment().storageRef());
        String pointerKey = previewLabel == null ? site.live() : site.preview(previewLabel);
        try (OssBucket bucket = new OssBucket(settings, tuning)) {
            Manifest next = bucket.read(site.manifest(key)).map(OssDeployTarget::manifest).orElseThrow(() ->
                    new ExtensionException("Deployment " + key + " of " + deployment.siteKey()
                            + " is missing from OSS, so it cannot go live."));
            Optional<Manifest> before = Optional.empty();
            Optional<Pointer> current = bucket.read(pointerKey).map(OssDeployTarget::pointer);
            if (current.isPresent() && current.get().manifest() != null) {
                before = bucket.read(current.get().manifest()).map(OssDeployTarget::manifest);
            }
            bucket.put(pointerKey, json(new Pointer(key, site.manifest(key), now())), "application/json",
                    "no-cache");
            deployment.log().info("Deployment " + key + " is " + (previewLabel == null ? "live"
                    : "served as preview " + previewLabel));
            if (before.isEmpty() || current.get().deployment().equals(key)) {
                return ActivationResult.NOTHING_TO_PURGE;
            }
            return new ActivationResult(next.pathsChangedSince(before.get()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ExtensionException("Making deployment " + key + " live was interrupted; the previous "
                    + "deployment may still be live.", e);
        }
    }

    @Override
    public void removePreview(String siteKey, String label, ConfigValues globalSettings,
                              ConfigValues projectSettings) {
        AliyunSettings settings = AliyunSettings.from(globalSettings);
        SiteLayout site = SiteLayout.of(settings.prefixPath(), siteKey);
        try (OssBucket bucket = new OssBucket(settings, tuning)) {
            bucket.delete(site.preview(SiteLayout.previewLabel(label)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ExtensionException("Removing preview " + label + " was interrupted.", e);
        }
    }

    @Override
    public void delete(SiteDeployment deployment) {
        AliyunSettings settings = AliyunSettings.from(deployment.globalSettings());
        SiteLayout site = SiteLayout.of(settings.prefixPath(), deployment.siteKey());
        String key = SiteLayout.deploymentKey(deployment.deployment().storageRef());
        try (OssBucket bucket = new OssBucket(settings, tuning)) {
            Optional<Pointer> live = bucket.read(site.live()).map(OssDeployTarget::pointer);
            if (live.isPresent() && key.equals(live.get().deployment())) {
                throw new ExtensionException("Deployment " + key + " is live. Make another deployment live before "
                        + "deleting it.");
            }
            for (OSSObjectSummary preview : bucket.list(site.previews())) {
                Optional<Pointer> pointer = bucket.read(preview.getKey()).map(OssDeployTarget::pointer);
                if (pointer.isPresent() && key.equals(pointer.get().deployment())) {
                    String label = preview.getKey().substring(site.previews().length()).replace(".json", "");
                    throw new ExtensionException("Deployment " + key + " is served as preview " + label
                            + ". Remove the preview or make another deployment its preview before deleting it.");
                }
            }
            bucket.delete(site.manifest(key));
            bucket.delete(site.pending(key));
            int collected = collectGarbage(bucket, site);
            deployment.log().info("Deleted deployment " + key + "; " + collected
                    + " objects no kept deployment uses were removed");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ExtensionException("Deleting deployment " + key + " was interrupted; it will be retried.", e);
        }
    }

    /**
     * Deletes the site's objects that no kept manifest, and no publish in progress, references. Pending publishes
     * are read again just before deleting, so one that started meanwhile keeps what it found already stored.
     */
    private int collectGarbage(OssBucket bucket, SiteLayout site) throws InterruptedException {
        Set<String> kept = new HashSet<>();
        for (OSSObjectSummary summary : bucket.list(site.deployments())) {
            if (site.deploymentOf(summary.getKey()) != null) {
                bucket.read(summary.getKey()).map(OssDeployTarget::manifest).ifPresent(m -> kept.addAll(m.hashes()));
            }
        }
        kept.addAll(pendingHashes(bucket, site));
        List<String> doomed = new ArrayList<>();
        for (OSSObjectSummary object : bucket.list(site.objects())) {
            if (!kept.contains(object.getKey().substring(site.objects().length()))) {
                doomed.add(object.getKey());
            }
        }
        if (doomed.isEmpty()) {
            return 0;
        }
        Set<String> startedMeanwhile = pendingHashes(bucket, site);
        doomed.removeIf(objectKey -> startedMeanwhile.contains(objectKey.substring(site.objects().length())));
        bucket.deleteAll(doomed);
        return doomed.size();
    }

    private Set<String> pendingHashes(OssBucket bucket, SiteLayout site) throws InterruptedException {
        Set<String> hashes = new HashSet<>();
        Instant cutoff = clock.instant().minus(PENDING_KEPT_FOR);
        for (OSSObjectSummary summary : bucket.list(site.pendingDir())) {
            if (summary.getLastModified() == null || summary.getLastModified().toInstant().isAfter(cutoff)) {
                bucket.read(summary.getKey()).map(OssDeployTarget::pending).ifPresent(p -> hashes.addAll(p.hashes()));
            }
        }
        return hashes;
    }

    @Override
    public void removeSite(String siteKey, ConfigValues globalSettings, ConfigValues projectSettings) {
        AliyunSettings settings = AliyunSettings.from(globalSettings);
        SiteLayout site = SiteLayout.of(settings.prefixPath(), siteKey);
        try (OssBucket bucket = new OssBucket(settings, tuning)) {
            // the pointers first, so the site stops being served before its content goes
            bucket.delete(site.live());
            List<String> keys = new ArrayList<>();
            for (OSSObjectSummary summary : bucket.list(site.root())) {
                keys.add(summary.getKey());
            }
            bucket.deleteAll(keys);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ExtensionException("Removing site " + siteKey + " from OSS was interrupted.", e);
        }
    }

    @Override
    public List<ConnectionCheck> checkConnection(ConfigValues global) {
        return new OssConnectionCheck(AliyunSettings.from(global), tuning).run();
    }

    private static Manifest manifest(String key, List<SiteFiles.LocalFile> files, boolean spa) {
        Map<String, String> hashByPath = new HashMap<>();
        for (SiteFiles.LocalFile file : files) {
            hashByPath.put(file.path(), file.sha256());
        }
        Map<String, Manifest.FileEntry> entries = new TreeMap<>();
        for (SiteFiles.LocalFile file : files) {
            Map<String, String> encodings = new TreeMap<>();
            ServingMetadata.PRECOMPRESSED.forEach((suffix, encoding) -> {
                String sibling = hashByPath.get(file.path() + suffix);
                if (sibling != null) {
                    encodings.put(encoding, sibling);
                }
            });
            entries.put(file.path(), new Manifest.FileEntry(file.sha256(), file.size(),
                    ServingMetadata.contentType(file.path()), ServingMetadata.cacheControl(file.path()),
                    encodings.isEmpty() ? null : encodings));
        }
        return new Manifest(Manifest.SCHEMA, key, entries, spa ? Boolean.TRUE : null,
                entries.containsKey("/404.html") ? "/404.html" : null);
    }

    private void deletePendingQuietly(OssBucket bucket, SiteLayout site, String key, TaskLog log) {
        try {
            bucket.delete(site.pending(key));
        } catch (ExtensionException e) {
            // garbage collection ignores it after a day
            log.warn("Could not remove " + site.pending(key) + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private String now() {
        return clock.instant().toString();
    }

    private static ThreadFactory threads(String siteKey) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, "oss-publish-" + siteKey + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    static byte[] json(Object value) {
        try {
            return JSON.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static Manifest manifest(byte[] json) {
        return parse(json, Manifest.class);
    }

    static Pointer pointer(byte[] json) {
        return parse(json, Pointer.class);
    }

    private static PendingPublish pending(byte[] json) {
        return parse(json, PendingPublish.class);
    }

    private static <T> T parse(byte[] json, Class<T> type) {
        try {
            return JSON.readValue(json, type);
        } catch (IOException e) {
            throw new ExtensionException("A " + type.getSimpleName().toLowerCase() + " in OSS is not readable: "
                    + e.getMessage(), e);
        }
    }
}
