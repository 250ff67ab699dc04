package io.miaobu.server.build;

import java.util.EnumSet;
import java.util.Set;

/**
 * A deployment's life: {@code QUEUED → CLONING → INSTALLING → BUILDING → UPLOADING → LIVE | FAILED | CANCELLED}, and later
 * {@code → PURGED} when the retention policy removes an old one.
 */
public enum DeploymentStatus {
    QUEUED,
    CLONING,
    /** The builder installs the dependencies (restored from the dependency cache first, when there is an entry). */
    INSTALLING,
    /** The build command runs. */
    BUILDING,
    UPLOADING,
    /** Built, published and made live (it may have been superseded as the live one since). */
    LIVE,
    FAILED,
    CANCELLED,
    /**
     * Removed by the retention policy: its published copy, build log and workspace are gone, so it can never go live
     * again. Only a final deployment that is neither live nor pinned gets here.
     */
    PURGED;

    public static final Set<DeploymentStatus> RUNNING = EnumSet.of(CLONING, INSTALLING, BUILDING, UPLOADING);
    public static final Set<DeploymentStatus> FINAL = EnumSet.of(LIVE, FAILED, CANCELLED, PURGED);

    public boolean isFinal() {
        return FINAL.contains(this);
    }
}
