package io.miaobu.plugin.docker;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Volume;
import com.github.dockerjava.api.model.WaitResponse;
import io.miaobu.api.ExtensionException;
import io.miaobu.api.build.CommandResult;
import io.miaobu.api.build.CommandSpec;
import io.miaobu.api.host.TaskLog;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One command in one throwaway container: create, attach, start, wait with the timeout, and remove — the last also
 * when the command fails, times out or is cancelled. Removing with force kills every process in the container, so no
 * part of the command outlives it.
 */
final class ContainerRun {

    /** Where the command's working directory appears in the container. */
    static final String WORKSPACE = "/workspace";
    /** HOME in the container: npm and friends keep their caches below it, and it outlives the container. */
    static final String HOME = "/home/miaobu";

    private static final Logger LOG = LoggerFactory.getLogger(ContainerRun.class);
    private static final Duration OUTPUT_DRAIN = Duration.ofSeconds(5);
    /** Processes and threads together: generous for bundlers with worker pools, fatal to a fork bomb. */
    private static final long PIDS_LIMIT = 4096;

    private final DockerEngine engine;
    private final String image;
    private final BuildUser user;
    private final DockerSettings settings;
    private final long nanoCpus;
    private final Path home;

    /**
     * @param image    an image the engine has
     * @param nanoCpus the CPU limit, already no more than the engine has
     * @param home     the host directory mounted as {@link #HOME}
     */
    ContainerRun(DockerEngine engine, String image, BuildUser user, DockerSettings settings, long nanoCpus,
                 Path home) {
        this.engine = engine;
        this.image = image;
        this.user = user;
        this.settings = settings;
        this.nanoCpus = nanoCpus;
        this.home = home;
    }

    /**
     * Runs {@code command} in a container called {@code name}, which is removed when this returns or throws.
     *
     * @throws ExtensionException   when Docker cannot create, attach to or start the container
     * @throws InterruptedException when the thread is interrupted; the container is gone by then
     */
    CommandResult run(CommandSpec command, TaskLog log, String name, Map<String, String> labels)
            throws InterruptedException {
        var output = new OutputPump(log);
        var exit = new ExitWatch();
        try {
            create(command, name, labels);
            engine.streams().attachContainerCmd(name).withStdOut(true).withStdErr(true).withFollowStream(true)
                    .exec(output);
            if (!output.awaitAttached(DockerEngine.CALL_TIMEOUT)) {
                throw new ExtensionException("Docker could not attach to the build container: "
                        + (output.failure() == null ? "no answer" : DockerEngine.reason(output.failure())),
                        output.failure());
            }
            long started = System.nanoTime();
            start(name, command);
            engine.streams().waitContainerCmd(name).exec(exit);
            Integer exitCode = exit.await(command.timeout());
            if (exitCode == null) {
                remove(name);
                output.drain(OUTPUT_DRAIN);
                return new CommandResult(-1, true, Duration.ofNanos(System.nanoTime() - started));
            }
            Duration duration = Duration.ofNanos(System.nanoTime() - started);
            output.drain(OUTPUT_DRAIN);
            if (exitCode != 0) {
                explainExit(name, log);
            }
            return new CommandResult(exitCode, false, duration);
        } finally {
            remove(name);
            output.close();
            exit.close();
        }
    }

    private void create(CommandSpec command, String name, Map<String, String> labels) throws InterruptedException {
        var environment = new ArrayList<String>();
        command.environment().forEach((key, value) -> environment.add(key + "=" + value));
        if (!command.environment().containsKey("HOME")) {
            environment.add("HOME=" + HOME);
        }
        HostConfig limits = HostConfig.newHostConfig()
                .withBinds(new Bind(command.workingDirectory().toAbsolutePath().toString(), new Volume(WORKSPACE)),
                        new Bind(home.toAbsolutePath().toString(), new Volume(HOME)))
                .withMemory(settings.memoryBytes())
                .withMemorySwap(settings.memoryBytes())
                .withNanoCPUs(nanoCpus)
                .withNetworkMode(settings.network())
                .withPidsLimit(PIDS_LIMIT)
                .withCapDrop(Capability.ALL)
                .withSecurityOpts(List.of("no-new-privileges"));
        try {
            engine.call(() -> engine.calls().createContainerCmd(image)
                    .withName(name)
                    // the argv as it is, whatever ENTRYPOINT the image declares (node's images have a script there)
                    .withEntrypoint(command.argv())
                    .withEnv(environment)
                    .withWorkingDir(WORKSPACE)
                    .withUser(user.spec())
                    .withLabels(labels)
                    .withAttachStdout(true)
                    .withAttachStderr(true)
                    .withHostConfig(limits)
                    .exec());
        } catch (DockerException e) {
            throw new ExtensionException("Docker could not create the build container from image '" + image + "': "
                    + DockerEngine.reason(e), e);
        }
    }

    private void start(String name, CommandSpec command) throws InterruptedException {
        try {
            engine.call(() -> engine.calls().startContainerCmd(name).exec());
        } catch (DockerException e) {
            String reason = DockerEngine.reason(e);
            // runc's words for an argv[0] that is not in the image: exec: "name": executable file not found ...
            if (reason.contains("exec: \"") && (reason.contains("not found") || reason.contains("no such file"))) {
                throw new ExtensionException("The program '" + command.argv().get(0) + "' was not found in the"
                        + " image '" + image + "'.", e);
            }
            throw new ExtensionException("Docker could not start the build container from image '" + image + "': "
                    + reason, e);
        }
    }

    /** A non-zero exit is the command's business, unless the kernel killed it for using too much memory. */
    private void explainExit(String name, TaskLog log) throws InterruptedException {
        try {
            InspectContainerResponse container = engine.call(() -> engine.calls().inspectContainerCmd(name).exec());
            if (Boolean.TRUE.equals(container.getState().getOOMKilled())) {
                log.error("The build container ran out of memory (limit " + settings.memoryMb() + " MB). An admin can"
                        + " raise the docker runner's memory limit.");
            }
        } catch (DockerException e) {
            LOG.debug("Could not inspect container {} after it exited: {}", name, e.getMessage());
        }
    }

    /** Kills and removes the container; nothing to do when it is gone already. Runs even on a cancelled thread. */
    private void remove(String name) {
        try {
            engine.callRegardless(() -> engine.calls().removeContainerCmd(name).withForce(true)
                    .withRemoveVolumes(true).exec());
        } catch (NotFoundException e) {
            // never created, or removed already
        } catch (ConflictException e) {
            LOG.debug("Container {} is being removed already: {}", name, e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("Could not remove build container {} from the Docker engine at {}; it is removed as an orphan"
                    + " later: {}", name, engine.host(), DockerEngine.reason(e));
        }
    }

    /** The container's exit code, from Docker's wait stream. */
    private static final class ExitWatch implements ResultCallback<WaitResponse> {
        private final CompletableFuture<Integer> exitCode = new CompletableFuture<>();
        private volatile Closeable stream;

        @Override
        public void onStart(Closeable stream) {
            this.stream = stream;
        }

        @Override
        public void onNext(WaitResponse response) {
            exitCode.complete(response.getStatusCode());
        }

        @Override
        public void onError(Throwable error) {
            exitCode.completeExceptionally(error);
        }

        @Override
        public void onComplete() {
            exitCode.completeExceptionally(new IllegalStateException("the wait stream ended without an exit code"));
        }

        /** The exit code, or null when the container still runs after {@code limit}. */
        Integer await(Duration limit) throws InterruptedException {
            try {
                return exitCode.get(limit.toNanos(), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                return null;
            } catch (ExecutionException e) {
                throw new ExtensionException("Docker stopped reporting on the build container: "
                        + DockerEngine.reason(e.getCause()), e.getCause());
            }
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
    }
}
