package io.miaobu.server.build;

import java.io.IOException;

/**
 * Where one client's event stream goes. {@link LogStreams} calls {@link #write} and {@link #close} from one pusher
 * thread at a time, and {@link #abort} from any thread.
 */
interface EventStreamSink {

    /**
     * Sends {@code frames} (complete {@code text/event-stream} events) and flushes them. Blocks while the client's
     * connection takes no more.
     *
     * @throws IOException when the client has gone
     */
    void write(byte[] frames) throws IOException;

    /** Ends the response normally, after the last event. */
    void close();

    /**
     * Drops the connection at once, so that a {@link #write} blocked on it in another thread fails. Must not block:
     * it is how a client that stopped reading is let go.
     */
    void abort();
}
