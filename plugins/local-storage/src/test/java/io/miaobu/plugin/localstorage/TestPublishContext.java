package io.miaobu.plugin.localstorage;

import io.miaobu.api.config.ConfigValues;
import io.miaobu.api.deploy.PublishContext;
import io.miaobu.api.host.TaskLog;
import java.nio.file.Path;

record TestPublishContext(String siteKey, String deploymentKey, Path outputDirectory, TaskLog log)
        implements PublishContext {

    @Override
    public ConfigValues globalSettings() {
        return ConfigValues.EMPTY;
    }

    @Override
    public ConfigValues projectSettings() {
        return ConfigValues.EMPTY;
    }
}
