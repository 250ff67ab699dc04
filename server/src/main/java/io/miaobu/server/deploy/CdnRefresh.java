package io.miaobu.server.deploy;

import io.miaobu.api.cdn.CdnProvider;
import io.miaobu.api.cdn.PurgeTask;
import io.miaobu.api.config.ConfigValues;
import io.miaobu.api.host.TaskLog;
import io.miaobu.server.plugin.ExtensionRegistry;
import io.miaobu.server.plugin.Extensions;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * After a site (or a preview) went live: asks the CDN of the deploy target's id to refresh the changed paths, and
 * follows the refresh task until it completes or a time limit passes, reporting in the deployment's log. A CDN that
 * fails is reported and does not undo the go-live.
 */
public final class CdnRefresh {

    private static final Logger LOG = LoggerFactory.getLogger(CdnRefresh.class);

    /** No CDN: nothing is refreshed. */
    public static final CdnRefresh NONE = new CdnRefresh(null, provider -> ConfigValues.EMPTY, Duration.ZERO,
            Duration.ZERO);

    private final ExtensionRegistry extensions;
    private final Function<CdnProvider, ConfigValues> settings;
    private final Duration follow;
    private final Duration pollEvery;

    /**
     * @param follow    how long to follow a refresh task on the build thread
     * @param pollEvery how often to ask for its status meanwhile
     */
    public CdnRefresh(ExtensionRegistry extensions, Function<CdnProvider, ConfigValues> settings, Duration follow,
                      Duration pollEvery) {
        this.extensions = extensions;
        this.settings = settings;
        this.follow = follow;
        this.pollEvery = pollEvery;
    }

    /**
     * @param deployTarget the id of the deploy target that switched the pointer; a CDN provider of that id refreshes
     * @param hostLabel    the site's host label (its slug, or {@code <label>--<slug>})
     * @param followTask   whether to wait for the task (the build thread does; a rollback on a request thread does not)
     * @return the refresh task, when one was started
     */
    public Optional<PurgeTask> afterGoLive(String deployTarget, String hostLabel, Set<String> changedPaths,
                                           TaskLog log, boolean followTask) {
        return afterGoLive(extensions, deployTarget, hostLabel, changedPaths, log, followTask);
    }

    /** As {@link #afterGoLive(String, String, Set, TaskLog, boolean)}, with the CDN from {@code from} (a build's). */
    public Optional<PurgeTask> afterGoLive(Extensions from, String deployTarget, String hostLabel,
                                           Set<String> changedPaths, TaskLog log, boolean followTask) {
        if (extensions == null || from == null || changedPaths.isEmpty()) {
            return Optional.empty();
        }
        Optional<CdnProvider> cdn = from.find(CdnProvider.class, deployTarget);
        if (cdn.isEmpty()) {
            return Optional.empty();
        }
        ConfigValues global = settings.apply(cdn.get());
        Optional<PurgeTask> task;
        try {
            task = cdn.get().refreshPaths(global, hostLabel, changedPaths);
        } catch (RuntimeException e) {
            log.warn("The CDN refresh of " + changedPaths.size() + " changed paths failed: " + e.getMessage()
                    + " Visitors may get the old files until their cache time runs out.");
            LOG.warn("CDN refresh for {} failed: {}", hostLabel, e.getMessage());
            return Optional.empty();
        }
        if (task.isEmpty()) {
            return task;
        }
        log.info("CDN refresh of " + changedPaths.size() + " changed paths: task " + task.get().id() + " "
                + task.get().status());
        if (followTask) {
            return Optional.of(followed(cdn.get(), global, task.get(), log));
        }
        return task;
    }

    private PurgeTask followed(CdnProvider cdn, ConfigValues global, PurgeTask task, TaskLog log) {
        long deadline = System.nanoTime() + follow.toNanos();
        PurgeTask current = task;
        while (current.status() == PurgeTask.Status.RUNNING && System.nanoTime() < deadline) {
            LockSupport.parkNanos(pollEvery.toNanos());
            if (Thread.currentThread().isInterrupted()) {
                break;
            }
            try {
                current = cdn.purgeStatus(global, task.id());
            } catch (RuntimeException e) {
                log.warn("Could not ask the CDN how refresh task " + task.id() + " is going: " + e.getMessage());
                return current;
            }
        }
        switch (current.status()) {
            case COMPLETE -> log.info("CDN refresh task " + task.id() + " completed.");
            case FAILED -> log.warn("CDN refresh task " + task.id() + " failed at the CDN; visitors may get the"
                    + " old files until their cache time runs out.");
            case RUNNING -> log.info("CDN refresh task " + task.id() + " is still running after "
                    + io.miaobu.server.web.Formats.duration(follow) + "; the CDN finishes it on its own.");
        }
        return current;
    }
}
