package io.miaobu.server.plugin.testplugins;

import io.miaobu.api.build.BuildContext;
import io.miaobu.api.build.BuildOutput;
import io.miaobu.api.build.BuildPlan;
import io.miaobu.api.build.Builder;
import io.miaobu.api.config.ConfigSchema;
import io.miaobu.api.config.ConnectionCheck;
import io.miaobu.api.config.ConfigValues;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A builder that throws on every call but {@code id()} (so it can be found at all); with the setting
 * {@code id.throws=true}, {@code id()} throws too.
 */
public final class ThrowingBuilder implements Builder {

    private final java.util.Properties settings = TestPluginSettings.of(ThrowingBuilder.class);

    @Override
    public String id() {
        if (Boolean.parseBoolean(settings.getProperty("id.throws"))) {
            throw new IllegalStateException("thrower cannot even say its id");
        }
        return settings.getProperty("builder.id", "thrower");
    }

    @Override
    public String displayName() {
        throw new IllegalStateException("thrower always fails");
    }

    @Override
    public ConfigSchema globalSettings() {
        throw new IllegalStateException("thrower always fails");
    }

    @Override
    public List<ConnectionCheck> checkConnection(ConfigValues global) {
        throw new IllegalStateException("thrower always fails");
    }

    @Override
    public Optional<BuildPlan> detect(Path sourceDirectory) {
        throw new IllegalStateException("thrower always fails");
    }

    @Override
    public BuildOutput build(BuildContext context) {
        throw new IllegalStateException("thrower always fails");
    }
}
