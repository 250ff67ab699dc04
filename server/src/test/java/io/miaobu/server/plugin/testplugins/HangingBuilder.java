package io.miaobu.server.plugin.testplugins;

import io.miaobu.api.build.BuildContext;
import io.miaobu.api.build.BuildOutput;
import io.miaobu.api.build.BuildPlan;
import io.miaobu.api.build.Builder;
import io.miaobu.api.config.ConfigValues;
import io.miaobu.api.config.ConnectionCheck;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * A builder whose connection test hangs, deaf to interrupts, until the test creates {@code <gate>/release-hanger}
 * (or two minutes pass).
 */
public final class HangingBuilder implements Builder {

    private final Properties settings = TestPluginSettings.of(HangingBuilder.class);

    @Override
    public String id() {
        return settings.getProperty("builder.id", "hanger");
    }

    @Override
    public String displayName() {
        return "Hanging builder";
    }

    @Override
    public List<ConnectionCheck> checkConnection(ConfigValues global) {
        Path gate = Path.of(settings.getProperty("gate"));
        TestPluginSettings.touch(gate.resolve("hanging"));
        try {
            TestPluginSettings.awaitFile(gate.resolve("release-hanger"), Duration.ofMinutes(2), false);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        return List.of(ConnectionCheck.passed("Hanging", "released"));
    }

    @Override
    public Optional<BuildPlan> detect(Path sourceDirectory) {
        return Optional.empty();
    }

    @Override
    public BuildOutput build(BuildContext context) {
        throw new IllegalStateException("not for building");
    }
}
