package io.miaobu.api.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.miaobu.api.config.ConfigValues;
import io.miaobu.api.testkit.TestPublishContext.Progress;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TestPublishContextTest {

    private final RecordingTaskLog log = new RecordingTaskLog();

    @Test
    void hasTheDocumentedDefaults() {
        var context = TestPublishContext.of(Path.of("out"), log);

        assertThat(context.siteKey()).isEqualTo("my-site");
        assertThat(context.deploymentKey()).isEqualTo("1");
        assertThat(context.outputDirectory()).isEqualTo(Path.of("out"));
        assertThat(context.log()).isSameAs(log);
        assertThat(context.globalSettings()).isSameAs(ConfigValues.EMPTY);
        assertThat(context.singlePageApp()).isFalse();
    }

    @Test
    void copiesWithOtherValues() {
        var global = ConfigValues.of(Map.of("bucket", "sites"));
        var context = TestPublishContext.of(Path.of("out"), log).withSiteKey("blog/pr-12").withDeploymentKey("42")
                .withSettings(global, ConfigValues.EMPTY).withSinglePageApp(true);

        assertThat(context.siteKey()).isEqualTo("blog/pr-12");
        assertThat(context.deploymentKey()).isEqualTo("42");
        assertThat(context.globalSettings()).isSameAs(global);
        assertThat(context.singlePageApp()).isTrue();
    }

    @Test
    void keepsEveryProgressReportInOrder() {
        var context = TestPublishContext.of(Path.of("out"), log);

        context.progress(0, 2, 0, 300);
        context.progress(2, 2, 300, 300);

        assertThat(context.progressReports()).containsExactly(new Progress(0, 2, 0, 300), new Progress(2, 2, 300, 300));
    }

    @Test
    void refusesSiteKeysTheHostNeverGives() {
        assertThatThrownBy(() -> TestPublishContext.of(Path.of("out"), log).withSiteKey("My Site"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
