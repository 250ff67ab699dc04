package io.miaobu.server.build;

import io.miaobu.server.web.Formats;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The stages of a deployment for its page, from its status changes: each stage it went through with how long it took,
 * the one it is in with how long it has run so far, and while it runs the stages still ahead. The page's script keeps
 * the running one's time ticking and moves on when a {@code status} event arrives.
 */
final class DeploymentStages {

    /** What every deployment goes through before its outcome. */
    private static final List<DeploymentStatus> STEPS = List.of(DeploymentStatus.QUEUED, DeploymentStatus.CLONING,
            DeploymentStatus.INSTALLING, DeploymentStatus.BUILDING, DeploymentStatus.UPLOADING);

    private DeploymentStages() {
    }

    /**
     * @param changes  the status changes, oldest first
     * @param status   the deployment's status now
     * @param finished when it ended (null while it runs)
     * @return one map per stage: {@code status}; {@code state} — done, current, pending or outcome; {@code duration},
     *         formatted ("" for pending stages and outcomes); {@code elapsedMs}, how long the current one has run
     */
    static List<Map<String, Object>> of(List<StatusChange> changes, DeploymentStatus status, Instant finished,
                                        Instant now) {
        var stages = new ArrayList<Map<String, Object>>();
        Set<DeploymentStatus> seen = EnumSet.noneOf(DeploymentStatus.class);
        for (int i = 0; i < changes.size(); i++) {
            StatusChange change = changes.get(i);
            if (change.status().isFinal()) {
                break;
            }
            seen.add(change.status());
            Instant end = i + 1 < changes.size() ? changes.get(i + 1).changedAt()
                    : status.isFinal() ? finished : null;
            if (end != null) {
                stages.add(stage(change.status(), "done", Duration.between(change.changedAt(), end), 0));
            } else if (status.isFinal()) {
                // ended without a recorded end: how long this stage took is not known
                stages.add(stage(change.status(), "done", null, 0));
            } else {
                Duration elapsed = Duration.between(change.changedAt(), now);
                stages.add(stage(change.status(), "current", elapsed, Math.max(0, elapsed.toMillis())));
            }
        }
        if (status.isFinal()) {
            stages.add(stage(status, "outcome", null, 0));
            return stages;
        }
        for (DeploymentStatus step : STEPS) {
            if (!seen.contains(step) && step.ordinal() > lastOrdinal(changes)) {
                stages.add(stage(step, "pending", null, 0));
            }
        }
        stages.add(stage(DeploymentStatus.LIVE, "pending", null, 0));
        return stages;
    }

    private static int lastOrdinal(List<StatusChange> changes) {
        return changes.isEmpty() ? -1 : changes.get(changes.size() - 1).status().ordinal();
    }

    private static Map<String, Object> stage(DeploymentStatus status, String state, Duration duration,
                                             long elapsedMillis) {
        var stage = new HashMap<String, Object>();
        stage.put("status", status.name());
        stage.put("state", state);
        stage.put("duration", duration == null ? "" : Formats.duration(duration));
        stage.put("elapsedMs", elapsedMillis);
        return stage;
    }
}
