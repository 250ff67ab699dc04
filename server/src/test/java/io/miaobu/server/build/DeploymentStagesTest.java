package io.miaobu.server.build;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeploymentStagesTest {

    private static final Instant T = Instant.parse("2026-11-26T10:00:00Z");

    @Test
    void aRunningDeploymentHasItsPastStagesTheCurrentOneAndThoseAhead() {
        var changes = List.of(change(DeploymentStatus.QUEUED, 0), change(DeploymentStatus.CLONING, 1_500),
                change(DeploymentStatus.INSTALLING, 4_000), change(DeploymentStatus.BUILDING, 9_000));

        var stages = DeploymentStages.of(changes, DeploymentStatus.BUILDING, null, T.plusMillis(76_000));

        assertThat(stages).extracting(s -> s.get("status") + " " + s.get("state") + " " + s.get("duration"))
                .containsExactly("QUEUED done 1.5 s", "CLONING done 2.5 s", "INSTALLING done 5.0 s",
                        "BUILDING current 1 min 7 s",
                        "UPLOADING pending ", "LIVE pending ");
        assertThat(stages.get(3).get("elapsedMs")).isEqualTo(67_000L);
    }

    @Test
    void aFinishedDeploymentEndsWithItsOutcomeAndTheLastStageLastsUntilThen() {
        var changes = List.of(change(DeploymentStatus.QUEUED, 0), change(DeploymentStatus.CLONING, 200),
                change(DeploymentStatus.BUILDING, 1_200), change(DeploymentStatus.FAILED, 43_200));

        var stages = DeploymentStages.of(changes, DeploymentStatus.FAILED, T.plusMillis(43_200), T.plusSeconds(999));

        assertThat(stages).extracting(s -> s.get("status") + " " + s.get("state") + " " + s.get("duration"))
                .containsExactly("QUEUED done 0.2 s", "CLONING done 1.0 s", "BUILDING done 42 s", "FAILED outcome ");
    }

    @Test
    void aDeploymentCancelledWhileQueuedHasNoStagesAhead() {
        var changes = List.of(change(DeploymentStatus.QUEUED, 0), change(DeploymentStatus.CANCELLED, 5_000));

        var stages = DeploymentStages.of(changes, DeploymentStatus.CANCELLED, T.plusMillis(5_000), T.plusSeconds(60));

        assertThat(stages).extracting(s -> s.get("status") + " " + s.get("state"))
                .containsExactly("QUEUED done", "CANCELLED outcome");
    }

    @Test
    void aQueuedDeploymentWaitsWithEveryStageAhead() {
        var stages = DeploymentStages.of(List.of(change(DeploymentStatus.QUEUED, 0)), DeploymentStatus.QUEUED, null,
                T.plusMillis(2_500));

        assertThat(stages).extracting(s -> (Object) s.get("state"))
                .containsExactly("current", "pending", "pending", "pending", "pending", "pending");
        assertThat(stages).extracting(s -> s.get("status")).containsExactly("QUEUED", "CLONING", "INSTALLING",
                "BUILDING", "UPLOADING", "LIVE");
        assertThat(stages.get(0)).containsEntry("elapsedMs", 2_500L).containsEntry("duration", "2.5 s");
    }

    private static StatusChange change(DeploymentStatus status, long millis) {
        return new StatusChange(1, status, T.plusMillis(millis));
    }
}
