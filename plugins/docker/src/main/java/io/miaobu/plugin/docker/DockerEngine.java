package io.miaobu.plugin.docker;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import io.miaobu.api.ExtensionException;
import io.miaobu.api.build.RunnerUnavailableException;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A connection to one Docker engine, open for one command. It holds two clients: one for requests that answer
 * promptly, with a response timeout so that a hung engine cannot hang a build, and one without, for the streams that
 * stay open while a container runs (attach, wait, pull).
 *
 * <p>The configuration is built from the setting alone: no {@code DOCKER_HOST} from the environment, no
 * {@code ~/.docker/config.json}.
 */
final class DockerEngine implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DockerEngine.class);
    private static final Pattern ENGINE_ANSWER = Pattern.compile("Status \\d+: (\\{.*\\})", Pattern.DOTALL);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    static final Duration CALL_TIMEOUT = Duration.ofMinutes(2);

    private final String host;
    private final DockerClient calls;
    private final DockerClient streams;

    private DockerEngine(String host, DockerClient calls, DockerClient streams) {
        this.host = host;
        this.calls = calls;
        this.streams = streams;
    }

    /**
     * Connects and pings the engine.
     *
     * @throws ExtensionException   when the engine does not answer
     * @throws InterruptedException when the thread was interrupted meanwhile
     */
    static DockerEngine connect(String host) throws InterruptedException {
        DockerEngine engine;
        try {
            DockerClientConfig config = new DefaultDockerClientConfig.Builder()
                    .withDockerHost(host)
                    .withDockerTlsVerify(false)
                    .build();
            engine = new DockerEngine(host, client(config, CALL_TIMEOUT), client(config, null));
        } catch (RuntimeException e) {
            // an address docker-java cannot use at all (validation keeps these out of saved settings)
            throw new RunnerUnavailableException("Docker engine at " + host + " is not reachable: " + reason(e), e);
        }
        try {
            engine.call(() -> engine.calls.pingCmd().exec());
            return engine;
        } catch (RuntimeException e) {
            engine.close();
            throw new RunnerUnavailableException("Docker engine at " + host + " is not reachable: " + reason(e), e);
        } catch (InterruptedException e) {
            engine.close();
            throw e;
        }
    }

    private static DockerClient client(DockerClientConfig config, Duration responseTimeout) {
        var http = new ApacheDockerHttpClient.Builder()
                .dockerHost(URI.create(config.getDockerHost().toString()))
                .connectionTimeout(CONNECT_TIMEOUT)
                .responseTimeout(responseTimeout)
                .maxConnections(8)
                .build();
        return DockerClientImpl.getInstance(config, http);
    }

    /** The address from the settings, for messages. */
    String host() {
        return host;
    }

    /** For requests that answer promptly. */
    DockerClient calls() {
        return calls;
    }

    /** For requests that stream as long as a container runs or an image downloads. */
    DockerClient streams() {
        return streams;
    }

    /**
     * Runs a request on this thread. The Unix socket is an interruptible channel: an interrupt (a cancelled build)
     * aborts the request, which is reported as {@link InterruptedException} rather than as a Docker failure.
     */
    <T> T call(Supplier<T> request) throws InterruptedException {
        try {
            return request.get();
        } catch (RuntimeException e) {
            if (Thread.interrupted()) {
                var interrupted = new InterruptedException("interrupted during a Docker request");
                interrupted.initCause(e);
                throw interrupted;
            }
            throw e;
        }
    }

    /**
     * Runs a request that must happen even on a cancelled thread (removing a container): with the interrupt flag
     * cleared for the request and restored afterwards.
     */
    <T> T callRegardless(Supplier<T> request) {
        boolean interrupted = Thread.interrupted();
        try {
            return request.get();
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * The innermost message of a failure, which names the actual problem (no such file, connection refused); for an
     * engine's error answer ({@code Status 400: {"message":"..."}}) the engine's message.
     */
    static String reason(Throwable failure) {
        Throwable innermost = failure;
        while (innermost.getCause() != null && innermost.getCause() != innermost) {
            innermost = innermost.getCause();
        }
        String message = innermost.getMessage();
        if (message == null || message.isBlank()) {
            return innermost.getClass().getSimpleName();
        }
        Matcher answer = ENGINE_ANSWER.matcher(message.strip());
        if (answer.matches()) {
            try {
                String engineMessage = JSON.readTree(answer.group(1)).path("message").asText("");
                if (!engineMessage.isBlank()) {
                    return engineMessage.strip();
                }
            } catch (JsonProcessingException e) {
                // not JSON after all: the whole message it is
            }
        }
        return message.strip();
    }

    @Override
    public void close() {
        for (DockerClient client : new DockerClient[] {calls, streams}) {
            try {
                client.close();
            } catch (IOException | RuntimeException e) {
                LOG.debug("Closing the Docker client for {} failed: {}", host, e.toString());
            }
        }
    }
}
