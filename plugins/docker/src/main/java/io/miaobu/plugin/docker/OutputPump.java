package io.miaobu.plugin.docker;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
import io.miaobu.api.host.TaskLog;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Copies a container's standard output and error, as the attach stream delivers them, into the build log. Each stream
 * has its own UTF-8 decoder, so a character split between two frames arrives whole. Runs on docker-java's stream
 * thread; the build thread waits on {@link #awaitAttached} and {@link #drain}.
 */
final class OutputPump implements ResultCallback<Frame> {

    private final TaskLog log;
    private final Map<StreamType, Decoder> decoders = new EnumMap<>(StreamType.class);
    private final CountDownLatch attached = new CountDownLatch(1);
    private final CountDownLatch ended = new CountDownLatch(1);
    private volatile Closeable stream;
    private volatile Throwable failure;

    OutputPump(TaskLog log) {
        this.log = log;
    }

    @Override
    public void onStart(Closeable stream) {
        this.stream = stream;
        attached.countDown();
    }

    @Override
    public void onNext(Frame frame) {
        String text = decoders.computeIfAbsent(frame.getStreamType(), type -> new Decoder())
                .decode(frame.getPayload(), false);
        if (!text.isEmpty()) {
            log.output(text);
        }
    }

    @Override
    public void onError(Throwable error) {
        failure = error;
        finish();
    }

    @Override
    public void onComplete() {
        finish();
    }

    private void finish() {
        decoders.values().forEach(decoder -> {
            String rest = decoder.decode(new byte[0], true);
            if (!rest.isEmpty()) {
                log.output(rest);
            }
        });
        ended.countDown();
        attached.countDown();
    }

    /**
     * Waits until Docker has attached to the container, so that starting it loses no output.
     *
     * @return false when it took longer than {@code limit} or the attach request failed
     */
    boolean awaitAttached(Duration limit) throws InterruptedException {
        return attached.await(limit.toMillis(), TimeUnit.MILLISECONDS) && stream != null && failure == null;
    }

    /** Why the attach request failed, if it did. */
    Throwable failure() {
        return failure;
    }

    /** Waits, at most {@code limit}, for the output still in transit after the container stopped. */
    void drain(Duration limit) throws InterruptedException {
        ended.await(limit.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        Closeable current = stream;
        if (current != null) {
            try {
                current.close();
            } catch (IOException e) {
                // the stream is being thrown away
            }
        }
    }

    /** Decodes one stream's bytes, keeping an incomplete character for the next frame. */
    private static final class Decoder {
        private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        private ByteBuffer pending = ByteBuffer.allocate(0);

        String decode(byte[] bytes, boolean endOfInput) {
            ByteBuffer input = ByteBuffer.allocate(pending.remaining() + bytes.length);
            input.put(pending).put(bytes).flip();
            CharBuffer output = CharBuffer.allocate(input.remaining() + 1);
            decoder.decode(input, output, endOfInput);
            if (endOfInput) {
                decoder.flush(output);
            }
            pending = input.slice();
            return output.flip().toString();
        }
    }
}
