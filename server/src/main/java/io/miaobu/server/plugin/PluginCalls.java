package io.miaobu.server.plugin;

import io.miaobu.server.boot.Managed;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs a call into a plugin for a request thread, which waits at most a time limit for the answer: a plugin that hangs
 * costs one of a few worker threads, never the request. The worker is interrupted at the limit; one that ignores that
 * stays busy until the plugin returns, and when all are busy further calls are refused at once.
 */
public final class PluginCalls implements Managed {

    private static final int WORKERS = 8;

    private final Duration timeout;
    private final ThreadPoolExecutor workers;

    public PluginCalls(Duration timeout) {
        this.timeout = timeout;
        var counter = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(0, WORKERS, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread thread = new Thread(r, "plugin-call-" + counter.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /** The call did not answer within the time limit, or no worker was free because earlier calls still hang. */
    public static final class NoAnswer extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NoAnswer(String message) {
            super(message, null, false, false);
        }
    }

    public Duration timeout() {
        return timeout;
    }

    /**
     * @throws NoAnswer         when the plugin did not answer in time (or every worker is still waiting for one)
     * @throws RuntimeException what the plugin threw
     */
    public <T> T call(Callable<T> work) {
        Future<T> answer;
        try {
            answer = workers.submit(work);
        } catch (RejectedExecutionException e) {
            throw new NoAnswer("Too many calls into plugins are still waiting for an answer (a plugin may hang);"
                    + " try again later.");
        }
        try {
            return answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            answer.cancel(true);
            throw new NoAnswer("The plugin gave no answer within " + (timeout.toMillis() < 1000
                    ? timeout.toMillis() + " ms" : timeout.toSeconds() + " s") + "; it may hang.");
        } catch (InterruptedException e) {
            answer.cancel(true);
            Thread.currentThread().interrupt();
            throw new NoAnswer("Interrupted while waiting for the plugin.");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    @Override
    public void start() {
    }

    @Override
    public void stop() {
        workers.shutdownNow();
    }
}
