package io.miaobu.server.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.miaobu.server.web.UserFacingException;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What installing from the update site takes, worked out before anything is downloaded. */
class InstallPlanTest {

    private static final String SHA = "0".repeat(64);

    private static UpdateSite.Release release(String id, String version, String requires,
                                              Map<String, String> dependencies) {
        return new UpdateSite.Release(id, version, requires, dependencies, URI.create("file:/site/" + id + ".zip"),
                SHA);
    }

    private static UpdateSite.Entry entry(String id, UpdateSite.Release... newestFirst) {
        return new UpdateSite.Entry(id, id, "", "", "", List.of(newestFirst));
    }

    private static PluginHost.PluginInfo installed(String id, String version, String state,
                                                   PluginHost.Dependency... dependencies) {
        return new PluginHost.PluginInfo(id, version, state, "", "", "", "", "*", List.of(dependencies),
                !state.equals("DISABLED"));
    }

    private static final List<UpdateSite.Entry> CATALOGUE = List.of(
            entry("app", release("app", "2.0.0", ">=5.0.0", Map.of()),
                    release("app", "1.1.0", ">=0.1.0", Map.of("lib", ">=1.0.0 & <2.0.0"))),
            entry("lib", release("lib", "2.0.0", "*", Map.of()),
                    release("lib", "1.5.0", "*", Map.of("core-utils", "*")),
                    release("lib", "1.0.0", "*", Map.of())),
            entry("core-utils", release("core-utils", "0.3.0", "*", Map.of())),
            entry("needs-ghost", release("needs-ghost", "1.0.0", "*", Map.of("ghost", "*"))),
            entry("loop-a", release("loop-a", "1.0.0", "*", Map.of("loop-b", "*"))),
            entry("loop-b", release("loop-b", "1.0.0", "*", Map.of("loop-a", "*"))));

    @Test
    void bringsEveryMissingDependencyNewestInItsRangeDependenciesFirst() {
        List<UpdateSite.Release> steps = InstallPlan.of(CATALOGUE, "app", null, List.of(), "0.1.0");

        assertThat(steps).extracting(r -> r.id() + " " + r.version())
                .as("app 2.0.0 needs a newer core; lib 2.0.0 is outside app's range")
                .containsExactly("core-utils 0.3.0", "lib 1.5.0", "app 1.1.0");
    }

    @Test
    void usesWhatIsInstalledWhenItFits() {
        List<UpdateSite.Release> steps = InstallPlan.of(CATALOGUE, "app", "1.1.0",
                List.of(installed("lib", "1.0.0", "STARTED")), "0.1.0");

        assertThat(steps).extracting(UpdateSite.Release::id).containsExactly("app");
    }

    @Test
    void refusesASetThatCannotWorkAndSaysWhy() {
        assertThatThrownBy(() -> InstallPlan.of(CATALOGUE, "app", "2.0.0", List.of(), "0.1.0"))
                .isInstanceOf(UserFacingException.class)
                .hasMessage("Plugin 'app' 2.0.0 needs Miaobu >=5.0.0; this server is 0.1.0.");
        assertThatThrownBy(() -> InstallPlan.of(CATALOGUE, "app", "1.1.0",
                List.of(installed("lib", "2.0.0", "STARTED")), "0.1.0"))
                .hasMessage("Plugin 'app' 1.1.0 needs plugin 'lib' >=1.0.0 & <2.0.0, but version 2.0.0 is installed."
                        + " Upgrade it first.");
        assertThatThrownBy(() -> InstallPlan.of(CATALOGUE, "app", "1.1.0",
                List.of(installed("lib", "1.0.0", "DISABLED")), "0.1.0"))
                .hasMessageContaining("needs plugin 'lib' >=1.0.0 & <2.0.0, which is disabled");
        assertThatThrownBy(() -> InstallPlan.of(CATALOGUE, "needs-ghost", null, List.of(), "0.1.0"))
                .hasMessage("Plugin 'needs-ghost' 1.0.0 needs plugin 'ghost', which is neither installed nor on the"
                        + " update site.");
        assertThatThrownBy(() -> InstallPlan.of(CATALOGUE, "loop-a", null, List.of(), "0.1.0"))
                .hasMessageContaining("depends on itself");
        assertThatThrownBy(() -> InstallPlan.of(CATALOGUE, "lib", "2.0.0",
                List.of(installed("lib", "1.0.0", "STARTED"), installed("app", "1.1.0", "STARTED",
                        new PluginHost.Dependency("lib", ">=1.0.0 & <2.0.0", false))), "0.1.0"))
                .as("an upgrade that breaks an installed plugin")
                .hasMessage("Plugin 'app' needs 'lib' >=1.0.0 & <2.0.0; 2.0.0 would break it.");
        assertThatThrownBy(() -> InstallPlan.of(CATALOGUE, "nope", null, List.of(), "0.1.0"))
                .hasMessage("The update site has no plugin 'nope'.");
        assertThatThrownBy(() -> InstallPlan.of(CATALOGUE, "lib", "9.9.9", List.of(), "0.1.0"))
                .hasMessage("The update site has no version 9.9.9 of plugin 'lib'.");
    }
}
