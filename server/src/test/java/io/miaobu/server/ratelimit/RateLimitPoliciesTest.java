package io.miaobu.server.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RateLimitPoliciesTest {

    @Test
    void defaultsAreTheDocumentedLimits() {
        RateLimitPolicies policies = RateLimitPolicies.defaults();

        assertThat(policies.enabled()).isTrue();
        assertThat(policies.all()).containsExactly(
                new RateLimitPolicy("global", 600, Duration.ofMinutes(1)),
                new RateLimitPolicy("login", 10, Duration.ofMinutes(1)),
                new RateLimitPolicy("refresh", 30, Duration.ofMinutes(1)),
                new RateLimitPolicy("token-create", 10, Duration.ofHours(1)),
                new RateLimitPolicy("webhook", 1200, Duration.ofMinutes(1)),
                new RateLimitPolicy("deploy", 30, Duration.ofMinutes(1)),
                new RateLimitPolicy("sign-in-failures", 20, Duration.ofHours(1)));
    }

    @Test
    void configOverridesOnePolicyAndKeepsTheOthers() {
        RateLimitPolicies policies = RateLimitPolicies.fromConfig(Map.of(
                "ratelimit.login", "5/30s", "ratelimit.webhook", " 1000/2h "));

        assertThat(policies.policy("login")).isEqualTo(new RateLimitPolicy("login", 5, Duration.ofSeconds(30)));
        assertThat(policies.policy("webhook")).isEqualTo(new RateLimitPolicy("webhook", 1000, Duration.ofHours(2)));
        assertThat(policies.policy("deploy").capacity()).isEqualTo(30);
    }

    @Test
    void keysMayComeNormalisedOrWithoutThePrefix() {
        RateLimitPolicies policies = RateLimitPolicies.fromConfig(Map.of(
                "ratelimit.token.create", "3/1d", "DEPLOY", "7/1m", "enabled", "true"));

        assertThat(policies.policy("token-create")).isEqualTo(new RateLimitPolicy("token-create", 3,
                Duration.ofDays(1)));
        assertThat(policies.policy("deploy").capacity()).isEqualTo(7);
        assertThat(policies.enabled()).isTrue();
    }

    @Test
    void enabledFalseTurnsLimitingOff() {
        assertThat(RateLimitPolicies.fromConfig(Map.of("ratelimit.enabled", "false")).enabled()).isFalse();
        assertThat(RateLimitPolicies.fromConfig(Map.of("ratelimit.enabled", "FALSE")).enabled()).isFalse();
    }

    @Test
    void refusesMalformedLimitsNamingTheKey() {
        for (String bad : new String[] {"", "10", "10/", "/1m", "10/m", "10/1", "10/1w", "10/1 m", "-1/1m", "1.5/1m",
                "10/1m/2", "ten/1m", "10 per 1m", "1/1M", "9999999999/1m"}) {
            assertThatThrownBy(() -> RateLimitPolicies.fromConfig(Map.of("ratelimit.login", bad)))
                    .as("'%s'", bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("ratelimit.login");
        }
    }

    @Test
    void refusesZeroAndOverlongLimits() {
        assertThatThrownBy(() -> RateLimitPolicies.fromConfig(Map.of("ratelimit.deploy", "0/1m")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ratelimit.deploy");
        assertThatThrownBy(() -> RateLimitPolicies.fromConfig(Map.of("ratelimit.deploy", "5/0s")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ratelimit.deploy");
        assertThatThrownBy(() -> RateLimitPolicies.fromConfig(Map.of("ratelimit.deploy", "5/367d")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("366d");
    }

    @Test
    void refusesUnknownPolicyNamesAndEnabledValues() {
        assertThatThrownBy(() -> RateLimitPolicies.fromConfig(Map.of("ratelimit.logn", "5/1m")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ratelimit.logn").hasMessageContaining("login");
        assertThatThrownBy(() -> RateLimitPolicies.fromConfig(Map.of("port", "8080")))
                .as("every entry must be a rate-limit setting").isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ratelimit.port");
        assertThatThrownBy(() -> RateLimitPolicies.fromConfig(Map.of("ratelimit.enabled", "no")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ratelimit.enabled");
    }

    @Test
    void unknownPolicyLookupFails() {
        assertThatThrownBy(() -> RateLimitPolicies.defaults().policy("nope"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nope");
    }
}
