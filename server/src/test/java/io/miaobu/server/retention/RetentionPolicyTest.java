package io.miaobu.server.retention;

import static io.miaobu.server.build.DeploymentStatus.BUILDING;
import static io.miaobu.server.build.DeploymentStatus.CANCELLED;
import static io.miaobu.server.build.DeploymentStatus.CLONING;
import static io.miaobu.server.build.DeploymentStatus.FAILED;
import static io.miaobu.server.build.DeploymentStatus.LIVE;
import static io.miaobu.server.build.DeploymentStatus.PURGED;
import static io.miaobu.server.build.DeploymentStatus.QUEUED;
import static io.miaobu.server.build.DeploymentStatus.UPLOADING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.miaobu.server.build.DeploymentStatus;
import io.miaobu.server.retention.RetentionPolicy.Entry;
import java.util.List;
import org.junit.jupiter.api.Test;

class RetentionPolicyTest {

    private static Entry entry(long id, DeploymentStatus status) {
        return new Entry(id, status, false, status == LIVE);
    }

    private static Entry pinned(long id, DeploymentStatus status) {
        return new Entry(id, status, true, status == LIVE);
    }

    private static List<Long> ids(List<Entry> entries) {
        return entries.stream().map(Entry::id).toList();
    }

    @Test
    void keepsTheNewestAndPurgesEveryOlderFinishedDeploymentThatIsNeitherLiveNorPinned() {
        var plan = new RetentionPolicy(2, 50).plan(List.of(entry(6, LIVE), entry(5, FAILED), entry(4, LIVE),
                entry(3, CANCELLED), entry(2, FAILED), entry(1, LIVE)), 6L);

        assertThat(ids(plan.purge())).containsExactly(4L, 3L, 2L, 1L);
        assertThat(plan.purge()).extracting(Entry::status).containsExactly(LIVE, CANCELLED, FAILED, LIVE);
        assertThat(plan.dropLogs()).isEmpty();
        assertThat(plan.finishDeletes()).isEmpty();
    }

    @Test
    void neverPurgesTheLiveDeploymentHoweverOld() {
        // rolled back to the oldest one
        var plan = new RetentionPolicy(1, 50).plan(List.of(entry(3, LIVE), entry(2, LIVE), entry(1, LIVE)), 1L);

        assertThat(ids(plan.purge())).containsExactly(2L);
    }

    @Test
    void neverPurgesAPinnedDeployment() {
        var plan = new RetentionPolicy(1, 50).plan(List.of(entry(4, LIVE), pinned(3, FAILED), entry(2, LIVE),
                pinned(1, LIVE)), 4L);

        assertThat(ids(plan.purge())).containsExactly(2L);
    }

    @Test
    void leavesQueuedAndRunningDeploymentsAloneButCountsThemAmongTheNewest() {
        var plan = new RetentionPolicy(2, 2).plan(List.of(entry(7, QUEUED), entry(6, UPLOADING), entry(5, BUILDING),
                entry(4, CLONING), entry(3, LIVE), entry(2, FAILED), entry(1, LIVE)), 3L);

        assertThat(ids(plan.purge())).containsExactly(2L, 1L);
        assertThat(plan.dropLogs()).as("the live one is past the newest 2 logs").containsExactly(3L);
    }

    @Test
    void purgesNothingWhileAProjectHasNoMoreThanItKeeps() {
        var plan = new RetentionPolicy(3, 3).plan(List.of(entry(3, FAILED), entry(2, CANCELLED), entry(1, LIVE)),
                1L);

        assertThat(plan.isEmpty()).isTrue();
        assertThat(new RetentionPolicy(1, 1).plan(List.of(), null).isEmpty()).isTrue();
    }

    @Test
    void dropsTheLogsOfKeptDeploymentsPastTheNewestLogsAndOfPurgedOnes() {
        var plan = new RetentionPolicy(10, 2).plan(List.of(entry(5, LIVE), entry(4, FAILED), entry(3, LIVE),
                pinned(2, FAILED), new Entry(1, PURGED, false, false)), 5L);

        assertThat(plan.purge()).isEmpty();
        assertThat(plan.dropLogs()).containsExactly(3L, 2L, 1L);
    }

    @Test
    void triesAgainToDeleteTheFilesOfPurgedDeploymentsThatStillHaveThem() {
        var plan = new RetentionPolicy(1, 1).plan(List.of(entry(3, LIVE), new Entry(2, PURGED, false, true),
                new Entry(1, PURGED, false, false)), 3L);

        assertThat(ids(plan.finishDeletes())).containsExactly(2L);
        assertThat(plan.purge()).isEmpty();
        assertThat(plan.dropLogs()).containsExactly(2L, 1L);
    }

    @Test
    void keepsOnlyTheNewestWhenNothingIsLive() {
        var plan = new RetentionPolicy(1, 5).plan(List.of(entry(3, FAILED), entry(2, FAILED), entry(1, CANCELLED)),
                null);

        assertThat(ids(plan.purge())).containsExactly(2L, 1L);
    }

    @Test
    void keepsAtLeastOne() {
        assertThatThrownBy(() -> new RetentionPolicy(0, 5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RetentionPolicy(5, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    private static Entry preview(long id, DeploymentStatus status) {
        return new Entry(id, status, false, status == LIVE, true, true);
    }

    private static Entry ofRemovedPreview(long id, DeploymentStatus status) {
        return new Entry(id, status, false, status == LIVE, true, false);
    }

    @Test
    void previewDeploymentsDoNotPushProductionRollbackTargetsOut() {
        // production: 3 (live), 2, 1; previews built since: 10..4
        var newestFirst = new java.util.ArrayList<Entry>();
        for (long id = 10; id >= 4; id--) {
            newestFirst.add(preview(id, LIVE));
        }
        newestFirst.addAll(List.of(entry(3, LIVE), entry(2, LIVE), entry(1, FAILED)));

        var plan = new RetentionPolicy(3, 50).plan(newestFirst, 3L, java.util.Set.of(9L));

        // production keeps its three; previews keep the 3 newest and the one a preview serves (9)
        assertThat(ids(plan.purge())).containsExactly(7L, 6L, 5L, 4L);
        assertThat(RetentionPolicy.KEEP_PREVIEW_DEPLOYMENTS).isEqualTo(3);
    }

    @Test
    void neverPurgesAPreviewsLiveDeploymentHoweverOld() {
        var plan = new RetentionPolicy(1, 50).plan(List.of(preview(9, LIVE), preview(8, FAILED), preview(7, LIVE),
                preview(6, LIVE), preview(5, LIVE), entry(1, LIVE)), 1L, java.util.Set.of(5L));

        assertThat(ids(plan.purge())).containsExactly(6L);
    }

    @Test
    void deploymentsOfRemovedPreviewsGoUnlessPinnedOrUnfinished() {
        var plan = new RetentionPolicy(5, 50).plan(List.of(ofRemovedPreview(9, LIVE), ofRemovedPreview(8, BUILDING),
                new Entry(7, FAILED, true, false, true, false), ofRemovedPreview(6, CANCELLED), entry(1, LIVE)), 1L,
                java.util.Set.of());

        assertThat(ids(plan.purge())).containsExactly(9L, 6L);
    }
}
