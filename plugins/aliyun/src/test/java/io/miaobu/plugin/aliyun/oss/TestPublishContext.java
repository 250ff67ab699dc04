package io.miaobu.plugin.aliyun.oss;

import io.miaobu.api.config.ConfigValues;
import io.miaobu.api.deploy.PublishContext;
import io.miaobu.api.host.TaskLog;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A publication with the plugin's settings; records every progress report. */
final class TestPublishContext implements PublishContext {

    record Progress(long filesDone, long filesTotal, long bytesDone, long bytesTotal) {
    }

    private final String siteKey;
    private final String deploymentKey;
    private final Path output;
    private final TaskLog log;
    private final ConfigValues global;
    private final ConfigValues project;
    final List<Progress> progress = new CopyOnWriteArrayList<>();

    TestPublishContext(String siteKey, String deploymentKey, Path output, TaskLog log, ConfigValues global) {
        this(siteKey, deploymentKey, output, log, global, ConfigValues.EMPTY);
    }

    TestPublishContext(String siteKey, String deploymentKey, Path output, TaskLog log, ConfigValues global,
                       ConfigValues project) {
        this.siteKey = siteKey;
        this.deploymentKey = deploymentKey;
        this.output = output;
        this.log = log;
        this.global = global;
        this.project = project;
    }

    @Override
    public String siteKey() {
        return siteKey;
    }

    @Override
    public String deploymentKey() {
        return deploymentKey;
    }

    @Override
    public Path outputDirectory() {
        return output;
    }

    @Override
    public TaskLog log() {
        return log;
    }

    @Override
    public boolean singlePageApp() {
        return project.getBoolean("spa", false);
    }

    @Override
    public ConfigValues globalSettings() {
        return global;
    }

    @Override
    public ConfigValues projectSettings() {
        return project;
    }

    @Override
    public void progress(long filesDone, long filesTotal, long bytesDone, long bytesTotal) {
        progress.add(new Progress(filesDone, filesTotal, bytesDone, bytesTotal));
    }
}
