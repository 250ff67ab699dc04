package io.miaobu.plugin.aliyun;

import io.miaobu.api.MiaobuExtension;
import io.miaobu.api.config.ConfigProblem;
import io.miaobu.api.config.ConfigSchema;
import io.miaobu.api.config.ConfigValues;
import java.util.List;

/**
 * What the plugin's deploy target, CDN provider and DNS provider have in common: the id {@code aliyun} (the host pairs
 * them by it and stores one settings record for the three) and that record's schema and checks.
 */
public abstract class AliyunExtension implements MiaobuExtension {

    /** The id of every extension of this plugin. */
    public static final String ID = "aliyun";

    @Override
    public final String id() {
        return ID;
    }

    @Override
    public final ConfigSchema globalSettings() {
        return AliyunSettings.SCHEMA;
    }

    @Override
    public final List<ConfigProblem> validate(ConfigValues global, ConfigValues project) {
        return AliyunSettings.problems(global);
    }
}
