package io.miaobu.server.build;

import static org.assertj.core.api.Assertions.assertThat;

import io.miaobu.api.Secret;
import io.miaobu.api.config.ConfigValues;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BuildRunnersTest {

    private static final ConfigValues PROJECT = ConfigValues.of(Map.of("image", "node:22"),
            Map.of("registry-token", Secret.of("rt-123456")));

    @Test
    void aBuildOfAForkGetsTheProjectsSettingsWithoutTheSecretOnes() {
        ConfigValues withheld = BuildRunners.trustedOnly(PROJECT, false);

        assertThat(withheld.plainValues()).containsExactly(Map.entry("image", "node:22"));
        assertThat(withheld.secretNames()).isEmpty();
    }

    @Test
    void aTrustedBuildGetsThemAll() {
        assertThat(BuildRunners.trustedOnly(PROJECT, true)).isSameAs(PROJECT);
        assertThat(BuildRunners.trustedOnly(ConfigValues.EMPTY, false)).isSameAs(ConfigValues.EMPTY);
    }
}
