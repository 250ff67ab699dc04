package io.miaobu.server.build;

import io.miaobu.server.web.Formats;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/** Deployments as the page templates expect them. */
public final class DeploymentRows {

    private DeploymentRows() {
    }

    public static Map<String, Object> of(Deployment d, Long liveDeploymentId, Instant now) {
        boolean live = liveDeploymentId != null && liveDeploymentId == d.id();
        var row = new HashMap<String, Object>();
        row.put("id", d.id());
        row.put("status", d.status().name());
        row.put("finished", d.status().isFinal());
        row.put("commitSha", d.commitSha() == null ? "" : d.commitSha());
        row.put("commitShort", d.commitShort());
        row.put("commitTitle", d.commitTitle());
        row.put("author", d.commitAuthor() == null ? "" : d.commitAuthor());
        row.put("branch", d.branch());
        row.put("trigger", d.triggerKind());
        row.put("error", d.error() == null ? "" : d.error());
        row.put("createdAt", Formats.dateTime(d.createdAt()));
        row.put("createdAtIso", Formats.iso(d.createdAt()));
        row.put("finishedAt", Formats.dateTime(d.finishedAt()));
        row.put("finishedAtIso", Formats.iso(d.finishedAt()));
        row.put("duration", Formats.duration(d.duration(now)));
        row.put("live", live);
        row.put("canActivate", d.isPublished() && !live && !d.isPreview());
        row.put("canCancel", !d.status().isFinal());
        row.put("pinned", d.pinned());
        row.put("purged", d.status() == DeploymentStatus.PURGED);
        row.put("canPin", d.status().isFinal() && d.status() != DeploymentStatus.PURGED && !d.pinned());
        row.put("canUnpin", d.pinned());
        return row;
    }
}
