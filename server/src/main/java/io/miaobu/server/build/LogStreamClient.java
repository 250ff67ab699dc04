package io.miaobu.server.build;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Optional;

/**
 * One client of a deployment's event stream, for {@link LogStreams}. Events reach it from any thread through
 * {@link #offer}, which only queues them (a bounded queue: a client that falls too far behind is let go); a pusher
 * thread writes them out in {@link #drain}, never two at once for one client. Lines from before the client joined
 * come from the log file, read by the pusher as it goes, at the place in the queue where the client joined.
 */
final class LogStreamClient {

    /** Where the lines in the file come in: the lines after the client's position, up to {@code through}. */
    private static final class CatchUp {
        static final long UNKNOWN = -1;
        long through;

        CatchUp(long through) {
            this.through = through;
        }
    }

    private static final long NOT_WRITING = Long.MIN_VALUE;
    /** A client that is not catching up gets an event or a few at a time: its buffer stays this small. */
    private static final int IDLE_BUFFER_BYTES = 2048;

    private final long deploymentId;
    private final EventStreamSink sink;
    private final LogStreams streams;
    private final LogStreams.Limits limits;

    // guarded by this
    private final ArrayDeque<Object> pending = new ArrayDeque<>();
    private long pendingChars;
    private boolean scheduled;
    private boolean closed;
    private boolean heartbeatDue;
    private Runnable unsubscribe;
    private DeploymentStatus statusSent;
    private long statusSentNanos;

    // only the pusher that runs drain()
    private final SseFrames frames;
    private long position;
    private long replayThrough;
    private LogLines replay;

    private volatile long writeStartedNanos = NOT_WRITING;
    private volatile long lastWriteNanos = System.nanoTime();

    LogStreamClient(long deploymentId, long afterLine, EventStreamSink sink, LogStreams streams) {
        this.deploymentId = deploymentId;
        this.position = afterLine;
        this.replayThrough = afterLine;
        this.sink = sink;
        this.streams = streams;
        this.limits = streams.limits();
        this.frames = new SseFrames(IDLE_BUFFER_BYTES);
    }

    long deploymentId() {
        return deploymentId;
    }

    /**
     * Queues an event; called on the build's writer thread under its log's lock, so it never waits. A client whose
     * queue is full is disconnected.
     */
    void offer(LogEvent event) {
        synchronized (this) {
            if (closed) {
                return;
            }
            pending.add(event);
            pendingChars += charsOf(event);
            if (pending.size() <= limits.maxPendingEvents() && pendingChars <= limits.maxPendingChars()) {
                scheduleLocked();
                return;
            }
        }
        streams.disconnect(this, "fell behind by more than " + limits.maxPendingEvents() + " events or "
                + limits.maxPendingChars() + " characters");
    }

    /**
     * Follows the running build's log: the lines in the file after this client's position, then what the build
     * writes from now on.
     *
     * @return false when no build writes the log (any more)
     */
    boolean follow(BuildLogs logs) {
        var catchUp = new CatchUp(CatchUp.UNKNOWN);
        synchronized (this) {
            if (closed) {
                return true;
            }
            // queued before subscribing: whatever the build writes next comes after it
            pending.add(catchUp);
        }
        Optional<LiveLog.Subscription> subscription = logs.subscribe(deploymentId, this::offer);
        synchronized (this) {
            if (subscription.isEmpty()) {
                pending.remove(catchUp);
                return false;
            }
            if (closed) {
                subscription.get().cancel().run();
                return true;
            }
            unsubscribe = subscription.get().cancel();
            catchUp.through = subscription.get().linesInFile();
            scheduleLocked();
            return true;
        }
    }

    /** Sends the stored log of an ended build after this client's position, then {@code end}. */
    synchronized void replayStoredLog() {
        if (closed) {
            return;
        }
        pending.add(new CatchUp(Long.MAX_VALUE));
        pending.add(new LogEvent.End());
        scheduleLocked();
    }

    /**
     * While the deployment is queued: sends its status when it changed, and again after a heartbeat's time as the
     * keep-alive.
     */
    void remindOfStatus(DeploymentStatus status, long nowNanos) {
        synchronized (this) {
            if (closed || (status == statusSent && nowNanos - statusSentNanos < limits.heartbeat().toNanos())) {
                return;
            }
            statusSent = status;
            statusSentNanos = nowNanos;
        }
        offer(new LogEvent.Status(status));
    }

    /** Called by the timer: lets a client go whose write has not moved for too long, or sends a keep-alive. */
    void checkLiveness(long nowNanos) {
        long writeStarted = writeStartedNanos;
        if (writeStarted != NOT_WRITING && nowNanos - writeStarted > limits.stalledWrite().toNanos()) {
            streams.disconnect(this, "read nothing for " + limits.stalledWrite().toSeconds() + " s");
            return;
        }
        if (nowNanos - lastWriteNanos >= limits.heartbeat().toNanos()) {
            synchronized (this) {
                if (!closed) {
                    heartbeatDue = true;
                    scheduleLocked();
                }
            }
        }
    }

    synchronized boolean isClosed() {
        return closed;
    }

    /**
     * Stops taking events and drops what is queued; the pusher closes the file and the response.
     *
     * @return whether this call closed it (false when it was closed already)
     */
    boolean markClosed() {
        Runnable cancel;
        synchronized (this) {
            if (closed) {
                return false;
            }
            closed = true;
            pending.clear();
            pendingChars = 0;
            cancel = unsubscribe;
            unsubscribe = null;
            scheduleLocked();
        }
        if (cancel != null) {
            cancel.run();
        }
        return true;
    }

    void abort() {
        sink.abort();
    }

    /** Writes out what there is, in batches, until nothing is left or this run has written its share. */
    void drain() {
        int written = 0;
        try {
            while (true) {
                if (isClosed()) {
                    release(false);
                    return;
                }
                frames.clear();
                boolean ended = fill();
                if (frames.isEmpty()) {
                    // before idle(): once that returns true, the next run may start on another thread
                    frames.clearAndShrink(IDLE_BUFFER_BYTES);
                    if (idle()) {
                        return;
                    }
                    continue;
                }
                write(frames.toByteArray());
                written += frames.size();
                if (ended) {
                    markClosed();
                    release(true);
                    return;
                }
                if (written >= limits.sliceBytes()) {
                    // let the other clients have the thread; still scheduled, so nobody else starts a drain meanwhile
                    streams.push(this);
                    return;
                }
            }
        } catch (IOException | RuntimeException e) {
            // the client went away, or its log cannot be read any more
            streams.disconnect(this, e.toString());
            release(false);
        }
    }

    /** Closes what this client holds; the pusher's last step, or the server's when it stops. */
    void release(boolean endedNormally) {
        closeReplay();
        if (endedNormally) {
            sink.close();
        } else {
            sink.abort();
            sink.close();
        }
        streams.forget(this);
    }

    /**
     * Encodes the next batch: the file's lines while a catch-up is under way, else queued events.
     *
     * @return whether the batch ends the stream
     */
    private boolean fill() throws IOException {
        while (frames.size() < limits.batchBytes()) {
            if (position < replayThrough) {
                replayInto();
                continue;
            }
            closeReplay();
            Object item;
            synchronized (this) {
                item = pending.peek();
                if (item == null) {
                    if (heartbeatDue && frames.isEmpty()) {
                        frames.comment("keep-alive");
                    }
                    heartbeatDue = false;
                    return false;
                }
                if (item instanceof CatchUp catchUp) {
                    if (catchUp.through == CatchUp.UNKNOWN) {
                        return false;
                    }
                    pending.poll();
                    replayThrough = Math.max(position, catchUp.through);
                    continue;
                }
                pending.poll();
                pendingChars -= charsOf(item);
                heartbeatDue = false;
            }
            LogEvent event = (LogEvent) item;
            frames.add(event);
            if (event instanceof LogEvent.Line line) {
                position = Math.max(position, line.number());
            } else if (event instanceof LogEvent.End) {
                return true;
            }
        }
        return false;
    }

    private void replayInto() throws IOException {
        if (replay == null) {
            Optional<LogLines> stored = streams.logs().readLines(deploymentId);
            if (stored.isEmpty()) {
                replayThrough = position;
                return;
            }
            replay = stored.get();
            replay.skipThrough(position);
        }
        while (frames.size() < limits.batchBytes() && position < replayThrough) {
            if (!replay.next()) {
                replayThrough = position;
                break;
            }
            frames.line(replay.number(), replay.bytes(), replay.start(), replay.end());
            position = replay.number();
        }
    }

    /** Ends a run with nothing to write, unless something came meanwhile. */
    private synchronized boolean idle() {
        if (closed || heartbeatDue || position < replayThrough) {
            return false;
        }
        Object head = pending.peek();
        if (head != null && !(head instanceof CatchUp catchUp && catchUp.through == CatchUp.UNKNOWN)) {
            return false;
        }
        scheduled = false;
        return true;
    }

    private void write(byte[] chunk) throws IOException {
        writeStartedNanos = System.nanoTime();
        try {
            sink.write(chunk);
        } finally {
            lastWriteNanos = System.nanoTime();
            writeStartedNanos = NOT_WRITING;
        }
    }

    private void scheduleLocked() {
        if (!scheduled) {
            scheduled = true;
            streams.push(this);
        }
    }

    private void closeReplay() {
        if (replay != null) {
            try {
                replay.close();
            } catch (IOException e) {
                // read to where it was needed
            }
            replay = null;
        }
    }

    private static long charsOf(Object item) {
        return item instanceof LogEvent.Line line ? line.text().length() + 16 : 16;
    }
}
