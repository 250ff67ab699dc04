package io.miaobu.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.miaobu.api.deploy.ActivationResult;
import io.miaobu.api.deploy.DeployTarget;
import io.miaobu.api.deploy.PublishContext;
import io.miaobu.api.deploy.PublishedDeployment;
import io.miaobu.api.deploy.SiteDeployment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A deploy target's progress reports reach the deployment's JSON while it uploads, and the totals stay after. */
class PublishingProgressIT {

    @TempDir
    Path temp;

    /**
     * Stands in for the bundled local-storage target (same id, so new projects use it): reports one file at a time,
     * stops halfway until the test lets it go on, and says half of the bytes had to be uploaded.
     */
    static final class HalfwayTarget implements DeployTarget {

        final CountDownLatch halfway = new CountDownLatch(1);
        final CountDownLatch goOn = new CountDownLatch(1);

        @Override
        public String id() {
            return "local-storage";
        }

        @Override
        public String displayName() {
            return "Halfway";
        }

        @Override
        public PublishedDeployment publish(PublishContext context) throws InterruptedException {
            List<Path> files;
            try (Stream<Path> walk = Files.walk(context.outputDirectory())) {
                files = walk.filter(Files::isRegularFile).sorted().toList();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            long total = files.stream().mapToLong(PublishingProgressIT::size).sum();
            long done = 0;
            for (int i = 0; i < files.size(); i++) {
                done += size(files.get(i));
                context.progress(i + 1, files.size(), done, total);
                if (i == 0) {
                    halfway.countDown();
                    if (!goOn.await(60, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("the test never let the upload go on");
                    }
                }
            }
            return new PublishedDeployment(context.deploymentKey(), context.outputDirectory().toUri(), files.size(),
                    total, total / 2);
        }

        @Override
        public ActivationResult activate(SiteDeployment deployment) {
            return ActivationResult.NOTHING_TO_PURGE;
        }

        @Override
        public void delete(SiteDeployment deployment) {
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void theDeploymentShowsFilesAndBytesDoneWhileItUploadsAndTheUploadedShareAfterwards() throws Exception {
        var target = new HalfwayTarget();
        try (var repo = new SiteRepository(temp.resolve("repo"));
             var server = new TestServer(temp.resolve("home"), Map.of(), List.of(target)).start()) {
            repo.commitMessage("progress");
            long project = server.json("POST", "/api/v1/projects", Map.of("name", "Progress",
                    "repositoryUrl", repo.directory().toString(), "branch", "main"), 201).get("id").asLong();
            long id = server.json("POST", "/api/v1/projects/" + project + "/deployments", Map.of(), 201)
                    .get("id").asLong();
            assertThat(target.halfway.await(120, TimeUnit.SECONDS)).as("publishing started").isTrue();

            JsonNode uploading = server.awaitDeployment(id, d -> d.path("upload").path("running").asBoolean(),
                    Duration.ofSeconds(30));
            JsonNode upload = uploading.get("upload");
            assertThat(uploading.get("status").asText()).isEqualTo("UPLOADING");
            assertThat(upload.get("filesTotal").asLong()).isEqualTo(2);
            assertThat(upload.get("filesDone").asLong()).isEqualTo(1);
            assertThat(upload.get("bytesDone").asLong()).isPositive().isLessThan(upload.get("bytesTotal").asLong());

            target.goOn.countDown();
            JsonNode live = server.awaitFinal(id);

            assertThat(live.get("status").asText()).isEqualTo("LIVE");
            JsonNode after = live.get("upload");
            assertThat(after.get("running").asBoolean()).isFalse();
            assertThat(after.get("filesDone").asLong()).isEqualTo(2);
            assertThat(after.get("bytesUploaded").asLong()).isEqualTo(after.get("bytesTotal").asLong() / 2);
        }
    }
}
