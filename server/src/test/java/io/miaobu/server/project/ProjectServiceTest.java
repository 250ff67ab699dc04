package io.miaobu.server.project;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.miaobu.server.web.UserFacingException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ProjectServiceTest {

    @Test
    void makesSlugsFromNames() {
        assertThat(ProjectService.slugOf("My Site")).isEqualTo("my-site");
        assertThat(ProjectService.slugOf("  Café Überall!! ")).isEqualTo("cafe-uberall");
        assertThat(ProjectService.slugOf("喵部")).isEqualTo("site");
        assertThat(ProjectService.slugOf("a".repeat(80))).hasSize(40);
        assertThat(ProjectService.slugOf("--x--")).isEqualTo("x");
    }

    @Test
    void defaultsTheBranchToMain() {
        assertThat(ProjectService.branch(null)).isEqualTo("main");
        assertThat(ProjectService.branch(" feature/x ")).isEqualTo("feature/x");
    }

    @ParameterizedTest
    @ValueSource(strings = {"-rf", "a..b", "a b", "x.lock", "/abs", "end/", "semi;colon", "$(id)", "a//b"})
    void refusesBranchNamesGitWouldRefuse(String branch) {
        assertThatThrownBy(() -> ProjectService.branch(branch))
                .isInstanceOf(UserFacingException.class)
                .extracting(e -> ((UserFacingException) e).field()).isEqualTo("branch");
    }

    @Test
    void keepsPathsInsideTheRepository() {
        assertThat(ProjectService.relativePath("outputDirectory", "./dist/")).isEqualTo("dist");
        assertThat(ProjectService.relativePath("outputDirectory", ".")).isEmpty();
        assertThat(ProjectService.relativePath("outputDirectory", "apps/web/build")).isEqualTo("apps/web/build");
        assertThatThrownBy(() -> ProjectService.relativePath("outputDirectory", "../etc"))
                .hasMessageContaining("may not leave");
        assertThatThrownBy(() -> ProjectService.relativePath("outputDirectory", "/etc"))
                .hasMessageContaining("relative");
        assertThatThrownBy(() -> ProjectService.relativePath("outputDirectory", "a\\..\\b"))
                .hasMessageContaining("relative");
    }
}
