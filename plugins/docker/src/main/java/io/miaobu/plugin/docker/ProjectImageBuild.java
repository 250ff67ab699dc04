package io.miaobu.plugin.docker;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.BuildResponseItem;
import com.github.dockerjava.api.model.Image;
import io.miaobu.api.ExtensionException;
import io.miaobu.api.host.TaskLog;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A project's build image on one engine: {@link #upToDate} when the engine has its tag; otherwise {@link #build} with
 * the engine's classic builder (whose layer cache reuses the steps before the first changed one), then removal of the
 * project's older build images beyond the number the admin keeps.
 *
 * <p>The build gets the context and one build argument, the admin's image; never the project's variables or secrets.
 * Its {@code RUN} steps get the memory limit and the network setting of the build containers. It must end within
 * {@code limit}; when it does not, or the thread is interrupted, the connection is dropped, and the engine then stops
 * the build and removes the container of the step that was running.
 */
final class ProjectImageBuild {

    private static final Logger LOG = LoggerFactory.getLogger(ProjectImageBuild.class);
    /** How the classic builder announces each instruction: {@code Step 2/5 : RUN npm i -g pnpm}. */
    private static final Pattern STEP = Pattern.compile("^Step (\\d+/\\d+) : (.*)$");
    private static final int STEP_TEXT_MAX = 120;
    /** The classic builder wraps a step's standard error in red: ESC[91m … ESC[0m. */
    private static final Pattern COLOUR = Pattern.compile("\u001b\\[[0-9;]*m");

    private final DockerEngine engine;
    private final DockerSettings settings;
    private final TaskLog log;

    ProjectImageBuild(DockerEngine engine, DockerSettings settings, TaskLog log) {
        this.engine = engine;
        this.settings = settings;
        this.log = log;
    }

    /** Whether the engine has the image's tag already, which the log then says. */
    boolean upToDate(ProjectImage image) throws InterruptedException {
        if (exists(image.tag())) {
            log.info("Build image " + image.tag() + " is up to date");
            return true;
        }
        return false;
    }

    /**
     * Builds the image and then removes the project's older ones.
     *
     * @param limit how long building may take
     * @throws ExtensionException   when the build fails (naming the step) or takes longer than {@code limit}
     * @throws InterruptedException when the thread is interrupted; the engine is told to stop the build
     */
    void build(ProjectImage image, Duration limit) throws InterruptedException {
        long files = image.fileCount();
        log.info("Building image " + image.tag() + " from " + ProjectImage.DOCKERFILE_PATH + " (context: "
                + ProjectImage.DIRECTORY + "/, " + files + (files == 1 ? " file)" : " files)"));
        long started = System.nanoTime();
        Path tar = null;
        try {
            tar = Files.createTempFile("miaobu-build-context-", ".tar");
            try (OutputStream out = Files.newOutputStream(tar)) {
                image.writeTar(out);
            }
            try (InputStream context = Files.newInputStream(tar)) {
                send(image, context, limit);
            }
        } catch (IOException e) {
            throw new ExtensionException("Could not send " + ProjectImage.DIRECTORY + "/ to the Docker engine: "
                    + e.getMessage(), e);
        } finally {
            deleteQuietly(tar);
        }
        if (!exists(image.tag())) {
            throw new ExtensionException("The Docker engine reported the build image " + image.tag() + " as built,"
                    + " but does not have it.");
        }
        log.info("Built image " + image.tag() + " in " + String.format(Locale.ROOT, "%.1f",
                (System.nanoTime() - started) / 1e9) + " s");
        removeOlderImages(image);
    }

    private void send(ProjectImage image, InputStream context, Duration limit) throws InterruptedException {
        var progress = new BuildProgress(log);
        var command = engine.streams().buildImageCmd()
                .withTarInputStream(context)
                .withDockerfilePath(ProjectImage.DOCKERFILE)
                .withTags(Set.of(image.tag()))
                .withLabels(Map.of(DockerBuildRunner.MANAGED_LABEL, "true",
                        ProjectImage.PROJECT_LABEL, image.projectKey()))
                // a base image the engine has is used as it is: nothing is pulled to check for a newer one
                .withPull(false)
                .withNoCache(false)
                .withRemove(true)
                .withForcerm(true)
                .withMemory(settings.memoryBytes())
                .withMemswap(settings.memoryBytes())
                .withNetworkMode(settings.network());
        image.buildArgs().forEach(command::withBuildArg);
        command.exec(progress);
        try {
            if (!progress.await(limit)) {
                throw new ExtensionException("Building the image from " + ProjectImage.DOCKERFILE_PATH
                        + " took longer than " + limit.toSeconds() + " s, the time limit of the build's first"
                        + " command" + progress.currentStep().map(step -> " (it was at step " + step + ")")
                        .orElse("") + ".");
            }
        } finally {
            // after the end a no-op; on a timeout or an interrupt the engine stops building when the connection drops
            progress.abandon();
        }
        if (progress.error() != null) {
            throw new ExtensionException("Building the image from " + ProjectImage.DOCKERFILE_PATH + " failed"
                    + progress.currentStep().map(step -> " at step " + step).orElse("") + ": "
                    + progress.error());
        }
        if (progress.failure() != null) {
            throw new ExtensionException("Building the image from " + ProjectImage.DOCKERFILE_PATH + " failed"
                    + progress.currentStep().map(step -> " at step " + step).orElse("") + ": "
                    + DockerEngine.reason(progress.failure()), progress.failure());
        }
    }

    private boolean exists(String tag) throws InterruptedException {
        try {
            engine.call(() -> engine.calls().inspectImageCmd(tag).exec());
            return true;
        } catch (NotFoundException e) {
            return false;
        }
    }

    /**
     * Removes the project's build images beyond the newest {@link DockerSettings#projectImagesKept()}, always keeping
     * {@code current}. Removes tags, so an image that also carries a kept tag stays; an image a container still uses
     * is left for next time. Never fails the build.
     */
    private void removeOlderImages(ProjectImage current) throws InterruptedException {
        List<Tagged> tagged;
        try {
            tagged = projectImages(current);
        } catch (DockerException e) {
            LOG.warn("Could not list the build images of {}: {}", current.projectKey(), DockerEngine.reason(e));
            return;
        }
        tagged.sort(Comparator.comparing((Tagged t) -> !t.reference().equals(current.tag()))
                .thenComparing(Tagged::created, Comparator.reverseOrder())
                .thenComparing(Tagged::reference));
        for (Tagged old : tagged.subList(Math.min(settings.projectImagesKept(), tagged.size()), tagged.size())) {
            try {
                engine.call(() -> engine.calls().removeImageCmd(old.reference()).withForce(false)
                        .withNoPrune(false).exec());
                log.info("Removed the older build image " + old.reference());
            } catch (NotFoundException e) {
                // removed meanwhile
            } catch (ConflictException e) {
                LOG.info("Build image {} is still in use; it is removed after a later build: {}", old.reference(),
                        DockerEngine.reason(e));
            } catch (DockerException e) {
                LOG.warn("Could not remove build image {}: {}", old.reference(), DockerEngine.reason(e));
            }
        }
    }

    private List<Tagged> projectImages(ProjectImage current) throws InterruptedException {
        List<Image> images = engine.call(() -> engine.calls().listImagesCmd()
                .withLabelFilter(Map.of(DockerBuildRunner.MANAGED_LABEL, "true",
                        ProjectImage.PROJECT_LABEL, current.projectKey()))
                .exec());
        var tagged = new ArrayList<Tagged>();
        for (Image image : images) {
            if (image.getRepoTags() == null) {
                continue;
            }
            for (String reference : image.getRepoTags()) {
                if (reference.startsWith(current.repository() + ":")) {
                    tagged.add(new Tagged(reference, created(image)));
                }
            }
        }
        return tagged;
    }

    /** To the nanosecond, as inspect reports it: the list's seconds cannot order images built in one second. */
    private Instant created(Image image) throws InterruptedException {
        try {
            String created = engine.call(() -> engine.calls().inspectImageCmd(image.getId()).exec()).getCreated();
            return Instant.parse(created);
        } catch (NotFoundException | DateTimeParseException | NullPointerException e) {
            return Instant.ofEpochSecond(image.getCreated() == null ? 0 : image.getCreated());
        }
    }

    private static void deleteQuietly(Path file) {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warn("Could not delete {}: {}", file, e.getMessage());
        }
    }

    private record Tagged(String reference, Instant created) {
    }

    /**
     * Copies the build's output into the build log as it arrives and remembers the step it is at, its error and its
     * end. Runs on docker-java's stream thread; the build thread waits on {@link #await} and may {@link #abandon} the
     * stream, also before it has started (the engine answers once it has read the whole context).
     */
    private static final class BuildProgress implements ResultCallback<BuildResponseItem> {
        private final TaskLog log;
        private final CountDownLatch ended = new CountDownLatch(1);
        private Closeable stream;
        private boolean abandoned;
        private volatile String step;
        private volatile String error;
        private volatile Throwable failure;

        BuildProgress(TaskLog log) {
            this.log = log;
        }

        @Override
        public void onStart(Closeable stream) {
            boolean closeNow;
            synchronized (this) {
                this.stream = stream;
                closeNow = abandoned;
            }
            if (closeNow) {
                closeQuietly(stream);
            }
        }

        @Override
        public void onNext(BuildResponseItem item) {
            String text = item.getStream() == null ? "" : COLOUR.matcher(item.getStream()).replaceAll("");
            if (!text.isEmpty()) {
                for (String line : text.split("\n")) {
                    Matcher m = STEP.matcher(line.strip());
                    if (m.matches()) {
                        String instruction = m.group(2).strip();
                        step = m.group(1) + " (" + (instruction.length() > STEP_TEXT_MAX
                                ? instruction.substring(0, STEP_TEXT_MAX) + "…" : instruction) + ")";
                    }
                }
                log.output(text);
            } else if (item.getStatus() != null && item.getProgressDetail() == null) {
                // a base image being pulled: the stages, not every progress tick
                log.output((item.getId() == null ? "" : item.getId() + ": ") + item.getStatus() + "\n");
            }
            if (item.isErrorIndicated()) {
                String message = item.getErrorDetail() != null && item.getErrorDetail().getMessage() != null
                        ? item.getErrorDetail().getMessage() : item.getError();
                error = message == null ? "the engine reported an error" : message.strip();
            }
        }

        @Override
        public void onError(Throwable throwable) {
            failure = throwable;
            ended.countDown();
        }

        @Override
        public void onComplete() {
            ended.countDown();
        }

        /** Whether the build ended (well or not) within {@code limit}. */
        boolean await(Duration limit) throws InterruptedException {
            return ended.await(limit.toNanos(), TimeUnit.NANOSECONDS);
        }

        /** Drops the connection, now or as soon as it is there: the engine then cancels the build. */
        void abandon() {
            Closeable current;
            synchronized (this) {
                abandoned = true;
                current = stream;
            }
            if (current != null) {
                closeQuietly(current);
            }
        }

        Optional<String> currentStep() {
            return Optional.ofNullable(step);
        }

        String error() {
            return error;
        }

        Throwable failure() {
            return failure;
        }

        @Override
        public void close() {
            abandon();
        }

        private static void closeQuietly(Closeable closeable) {
            try {
                closeable.close();
            } catch (IOException | RuntimeException e) {
                // the stream is being thrown away
            }
        }
    }
}
