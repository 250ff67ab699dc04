package io.miaobu.plugin.github;

import io.miaobu.api.host.TaskLog;
import org.eclipse.jgit.lib.ProgressMonitor;

/**
 * Reports each finished JGit task as one output line and cancels JGit when the build's thread is interrupted. It
 * watches the thread that created it rather than the calling one, because JGit may call it from its own threads.
 */
final class TaskLogProgressMonitor implements ProgressMonitor {

    private final TaskLog log;
    private final Thread owner;
    private volatile boolean cancelled;
    private String task;
    private int total;
    private int done;

    TaskLogProgressMonitor(TaskLog log, Thread owner) {
        this.log = log;
        this.owner = owner;
    }

    @Override
    public void start(int totalTasks) {
    }

    @Override
    public synchronized void beginTask(String title, int totalWork) {
        task = title;
        total = totalWork;
        done = 0;
    }

    @Override
    public synchronized void update(int completed) {
        done += completed;
    }

    @Override
    public synchronized void endTask() {
        if (task != null) {
            String amount = total == UNKNOWN ? Integer.toString(done) : done + "/" + total;
            log.output(task + ": " + amount + ", done.\n");
            task = null;
        }
    }

    @Override
    public boolean isCancelled() {
        // sticky: JGit's piped transports swallow the interrupt once they have seen it
        if (owner.isInterrupted()) {
            cancelled = true;
        }
        return cancelled;
    }

    @Override
    public void showDuration(boolean enabled) {
    }
}
