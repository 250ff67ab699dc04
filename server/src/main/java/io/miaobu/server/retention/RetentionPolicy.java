package io.miaobu.server.retention;

import io.miaobu.server.build.DeploymentStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Decides, for one project, which deployments retention purges and whose build logs it deletes. Pure: it looks only
 * at the deployments it is given.
 *
 * <p>A deployment is kept when it is one of the {@code keepDeployments} newest, live, pinned, or not finished (queued
 * or running). Every other finished one ({@code LIVE} but superseded, {@code FAILED}, {@code CANCELLED}) is purged.
 * Of the deployments kept, those older than the {@code keepLogs} newest lose their build log.
 *
 * @param keepDeployments how many of the newest deployments keep their files (at least 1)
 * @param keepLogs        how many of the newest deployments keep their build logs (at least 1)
 */
public record RetentionPolicy(int keepDeployments, int keepLogs) {

    public RetentionPolicy {
        if (keepDeployments < 1 || keepLogs < 1) {
            throw new IllegalArgumentException("keep at least one deployment and one log");
        }
    }

    /**
     * One deployment as retention sees it.
     *
     * @param stored whether the deploy target still holds files of it (its storage reference is set)
     */
    public record Entry(long id, DeploymentStatus status, boolean pinned, boolean stored) {
    }

    /**
     * What to do.
     *
     * @param purge         finished deployments to purge: files, log and workspace deleted, status {@code PURGED}
     * @param finishDeletes deployments already {@code PURGED} whose files could not be deleted before: try again
     * @param dropLogs      deployments whose build log goes: older than the logs kept, or purged already
     */
    public record Plan(List<Entry> purge, List<Entry> finishDeletes, List<Long> dropLogs) {

        public boolean isEmpty() {
            return purge.isEmpty() && finishDeletes.isEmpty() && dropLogs.isEmpty();
        }
    }

    /**
     * @param newestFirst      every deployment of the project, newest (highest id) first
     * @param liveDeploymentId the deployment the project serves now, or {@code null}
     */
    public Plan plan(List<Entry> newestFirst, Long liveDeploymentId) {
        var purge = new ArrayList<Entry>();
        var finishDeletes = new ArrayList<Entry>();
        var dropLogs = new ArrayList<Long>();
        for (int rank = 0; rank < newestFirst.size(); rank++) {
            Entry entry = newestFirst.get(rank);
            if (entry.status() == DeploymentStatus.PURGED) {
                if (entry.stored()) {
                    finishDeletes.add(entry);
                }
                dropLogs.add(entry.id());
            } else if (entry.status().isFinal()) {
                boolean live = Objects.equals(liveDeploymentId, entry.id());
                if (rank >= keepDeployments && !live && !entry.pinned()) {
                    purge.add(entry);
                } else if (rank >= keepLogs) {
                    dropLogs.add(entry.id());
                }
            }
        }
        return new Plan(List.copyOf(purge), List.copyOf(finishDeletes), List.copyOf(dropLogs));
    }
}
