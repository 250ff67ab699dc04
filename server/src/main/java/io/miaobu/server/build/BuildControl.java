package io.miaobu.server.build;

import java.util.Optional;

/** Lets the executor cancel one running build: records why and interrupts the build's thread. */
public final class BuildControl {

    private final Thread thread;
    private volatile String cancelReason;
    private boolean pastPointOfNoReturn;

    BuildControl(Thread thread) {
        this.thread = thread;
    }

    /** @return false when the build is already going live and can no longer be cancelled */
    synchronized boolean cancel(String reason) {
        if (pastPointOfNoReturn) {
            return false;
        }
        if (cancelReason == null) {
            cancelReason = reason;
            thread.interrupt();
        }
        return true;
    }

    synchronized void enterPointOfNoReturn() throws BuildPipeline.CancelledException {
        checkNotCancelled();
        pastPointOfNoReturn = true;
    }

    boolean isCancelled() {
        return cancelReason != null;
    }

    Optional<String> cancelReason() {
        return Optional.ofNullable(cancelReason);
    }

    void checkNotCancelled() throws BuildPipeline.CancelledException {
        if (cancelReason != null) {
            throw new BuildPipeline.CancelledException();
        }
    }
}
