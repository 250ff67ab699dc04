package io.miaobu.server.build;

import java.util.EnumSet;
import java.util.Set;

/** A deployment's life: {@code QUEUED → CLONING → BUILDING → UPLOADING → LIVE | FAILED | CANCELLED}. */
public enum DeploymentStatus {
    QUEUED,
    CLONING,
    BUILDING,
    UPLOADING,
    /** Built, published and made live (it may have been superseded as the live one since). */
    LIVE,
    FAILED,
    CANCELLED;

    public static final Set<DeploymentStatus> RUNNING = EnumSet.of(CLONING, BUILDING, UPLOADING);
    public static final Set<DeploymentStatus> FINAL = EnumSet.of(LIVE, FAILED, CANCELLED);

    public boolean isFinal() {
        return FINAL.contains(this);
    }
}
