package io.miaobu.plugin.docker;

import static org.assertj.core.api.Assertions.assertThat;

import io.miaobu.api.config.ConfigProblem;
import io.miaobu.api.config.ConfigValues;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DockerSettingsTest {

    @Test
    void defaultsAreTheSchemaDefaults() {
        DockerSettings defaults = DockerSettings.DEFAULTS;

        assertThat(defaults.dockerHost()).isEqualTo("unix:///var/run/docker.sock");
        assertThat(defaults.image()).isEqualTo("node:20-alpine");
        assertThat(defaults.memoryMb()).isEqualTo(2048);
        assertThat(defaults.memoryBytes()).isEqualTo(2048L * 1024 * 1024);
        assertThat(defaults.nanoCpus(8)).isEqualTo(2_000_000_000L);
        assertThat(defaults.network()).isEqualTo("bridge");
        assertThat(defaults.user()).isEqualTo("auto");
        assertThat(defaults.pullMissing()).isFalse();
        assertThat(defaults.projectImages()).isTrue();
        assertThat(defaults.projectImagesKept()).isEqualTo(2);
        assertThat(DockerSettings.problems(ConfigValues.EMPTY)).isEmpty();
    }

    @Test
    void fillsTheNodeMajorVersionIntoTheImage() {
        DockerSettings settings = DockerSettings.from(ConfigValues.of(Map.of("image", "node:{node}-alpine")));

        assertThat(settings.imageFor("20")).isEqualTo("node:20-alpine");
        assertThat(settings.imageFor(">=18.17 <21")).isEqualTo("node:18-alpine");
        assertThat(settings.imageFor("v22.3.0")).isEqualTo("node:22-alpine");
        assertThat(settings.imageFor("lts/*")).isEqualTo("node:lts-alpine");
        assertThat(settings.imageFor("")).isEqualTo("node:lts-alpine");
        assertThat(DockerSettings.DEFAULTS.imageFor("18")).isEqualTo("node:20-alpine");
    }

    @Test
    void limitsCpusToWhatTheEngineHas() {
        DockerSettings settings = DockerSettings.from(ConfigValues.of(Map.of("cpus", "1.5")));

        assertThat(settings.nanoCpus(4)).isEqualTo(1_500_000_000L);
        assertThat(settings.nanoCpus(1)).isEqualTo(1_000_000_000L);
    }

    @Test
    void rejectsSettingsDockerCannotUse() {
        var values = ConfigValues.of(Map.of(
                "docker-host", "http://localhost:2375",
                "image", "node 20",
                "memory-mb", "4",
                "cpus", "lots",
                "network", "host",
                "user", "0:0",
                "project-images-kept", "0"));

        assertThat(DockerSettings.problems(values)).extracting(ConfigProblem::field)
                .containsExactly("docker-host", "image", "memory-mb", "cpus", "network", "user",
                        "project-images-kept");
        assertThat(DockerSettings.problems(ConfigValues.of(Map.of("project-images-kept", "two"))))
                .extracting(ConfigProblem::message).containsExactly("A whole number, e.g. 2.");
    }

    @Test
    void acceptsTcpEnginesAndNumericUsers() {
        var values = ConfigValues.of(Map.of("docker-host", "tcp://10.0.0.5:2375", "user", "1001:1001",
                "cpus", "0.5", "network", "none"));

        assertThat(DockerSettings.problems(values)).isEmpty();
        assertThat(DockerSettings.problems(ConfigValues.of(Map.of("user", "builder"))))
                .extracting(ConfigProblem::field).containsExactly("user");
    }
}
