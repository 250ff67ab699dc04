package io.miaobu.server.retention;

import io.miaobu.server.build.DeploymentStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.jdbi.v3.core.mapper.reflect.JdbiConstructor;

/**
 * Decides, for one project, which deployments retention purges and whose build logs it deletes. Pure: it looks only
 * at the deployments it is given.
 *
 * <p>A deployment is kept when it is one of the {@code keepDeployments} newest, live, pinned, or not finished (queued
 * or running). Every other finished one ({@code LIVE} but superseded, {@code FAILED}, {@code CANCELLED}) is purged.
 * Of the deployments kept, those older than the {@code keepLogs} newest lose their build log.
 *
 * <p>Preview deployments are counted apart, so that previews never push production's rollback targets out: of those
 * whose preview still exists, the {@link #KEEP_PREVIEW_DEPLOYMENTS} newest are kept, and each preview's live one;
 * those whose preview was removed go (unless pinned).
 *
 * @param keepDeployments how many of the newest deployments keep their files (at least 1)
 * @param keepLogs        how many of the newest deployments keep their build logs (at least 1)
 */
public record RetentionPolicy(int keepDeployments, int keepLogs) {

    /** How many of a project's newest deployments of existing previews are kept besides each preview's live one. */
    public static final int KEEP_PREVIEW_DEPLOYMENTS = 3;

    public RetentionPolicy {
        if (keepDeployments < 1 || keepLogs < 1) {
            throw new IllegalArgumentException("keep at least one deployment and one log");
        }
    }

    /**
     * One deployment as retention sees it.
     *
     * @param stored        whether the deploy target still holds files of it (its storage reference is set)
     * @param preview       built for a preview (environment {@code preview})
     * @param previewExists its preview still exists (for a preview deployment)
     */
    public record Entry(long id, DeploymentStatus status, boolean pinned, boolean stored, boolean preview,
                        boolean previewExists) {

        @JdbiConstructor
        public Entry {
        }

        /** A production deployment. */
        public Entry(long id, DeploymentStatus status, boolean pinned, boolean stored) {
            this(id, status, pinned, stored, false, false);
        }
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
        return plan(newestFirst, liveDeploymentId, Set.of());
    }

    /**
     * @param newestFirst        every deployment of the project, newest (highest id) first
     * @param liveDeploymentId   the deployment the project serves now, or {@code null}
     * @param previewDeployments the deployments the project's previews serve now
     */
    public Plan plan(List<Entry> newestFirst, Long liveDeploymentId, Set<Long> previewDeployments) {
        var purge = new ArrayList<Entry>();
        var finishDeletes = new ArrayList<Entry>();
        var dropLogs = new ArrayList<Long>();
        int productionRank = 0;
        int previewRank = 0;
        for (Entry entry : newestFirst) {
            int rank;
            int keep;
            if (!entry.preview()) {
                rank = productionRank++;
                keep = keepDeployments;
            } else if (entry.previewExists()) {
                rank = previewRank++;
                keep = KEEP_PREVIEW_DEPLOYMENTS;
            } else {
                rank = Integer.MAX_VALUE;
                keep = 0;
            }
            if (entry.status() == DeploymentStatus.PURGED) {
                if (entry.stored()) {
                    finishDeletes.add(entry);
                }
                dropLogs.add(entry.id());
            } else if (entry.status().isFinal()) {
                boolean live = Objects.equals(liveDeploymentId, entry.id()) || previewDeployments.contains(entry.id());
                if (rank >= keep && !live && !entry.pinned()) {
                    purge.add(entry);
                } else if (rank >= keepLogs) {
                    dropLogs.add(entry.id());
                }
            }
        }
        return new Plan(List.copyOf(purge), List.copyOf(finishDeletes), List.copyOf(dropLogs));
    }
}
