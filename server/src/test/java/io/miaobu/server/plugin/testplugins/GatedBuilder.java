package io.miaobu.server.plugin.testplugins;

import io.miaobu.api.build.BuildContext;
import io.miaobu.api.build.BuildOutput;
import io.miaobu.api.build.BuildPlan;
import io.miaobu.api.build.Builder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;

/**
 * A builder whose build says it started ({@code <gate>/started-<version>}), waits until the test creates
 * {@code <gate>/release}, and then writes a page naming its version. The page comes from a class loaded only then, so
 * a build that finishes after its plugin was upgraded shows that the old version's classes still load.
 */
public final class GatedBuilder implements Builder {

    private final Properties settings = TestPluginSettings.of(GatedBuilder.class);

    @Override
    public String id() {
        return settings.getProperty("builder.id", "gated");
    }

    @Override
    public String displayName() {
        return "Gated builder " + settings.getProperty("version");
    }

    @Override
    public Optional<BuildPlan> detect(Path sourceDirectory) {
        return Optional.of(new BuildPlan("gated", "", "", "", "out", ""));
    }

    @Override
    public BuildOutput build(BuildContext context) throws InterruptedException {
        String version = settings.getProperty("version");
        Path gate = Path.of(settings.getProperty("gate"));
        context.dependenciesInstalled();
        TestPluginSettings.touch(gate.resolve("started-" + version));
        context.log().info("gated builder " + version + " waits for the test");
        TestPluginSettings.awaitFile(gate.resolve("release"), Duration.ofMinutes(2), true);
        Path out = context.sourceDirectory().resolve("out");
        try {
            Files.createDirectories(out);
            Files.writeString(out.resolve("index.html"), GatedPage.html(version));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new BuildOutput(out);
    }
}
