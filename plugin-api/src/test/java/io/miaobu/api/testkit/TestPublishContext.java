package io.miaobu.api.testkit;

import io.miaobu.api.config.ConfigValues;
import io.miaobu.api.deploy.PublishContext;
import io.miaobu.api.host.TaskLog;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link PublishContext} for testing a {@link io.miaobu.api.deploy.DeployTarget}: plain values, and every
 * {@link #progress} report kept for assertions.
 *
 * <pre>{@code
 * var log = new RecordingTaskLog();
 * var context = TestPublishContext.of(outputDir, log).withSiteKey("blog").withDeploymentKey("7");
 * PublishedDeployment published = target.publish(context);
 * assertThat(context.progressReports()).last().extracting(Progress::filesDone).isEqualTo(3L);
 * }</pre>
 *
 * <p>Defaults: site key {@code my-site}, deployment key {@code 1}, empty settings, not a single-page app. The host
 * keeps only the latest progress report; this fake keeps them all. Thread-safe, like the host's: progress may be
 * reported from any thread of the publication. Each {@code with...} method returns a new context without the reports
 * of this one.
 */
public final class TestPublishContext implements PublishContext {

    /**
     * One call of {@link #progress}.
     *
     * @param filesDone  files published so far
     * @param filesTotal files in the deployment
     * @param bytesDone  bytes published so far
     * @param bytesTotal bytes in the deployment
     */
    public record Progress(long filesDone, long filesTotal, long bytesDone, long bytesTotal) {
    }

    private final String siteKey;
    private final String deploymentKey;
    private final Path outputDirectory;
    private final TaskLog log;
    private final ConfigValues globalSettings;
    private final ConfigValues projectSettings;
    private final boolean singlePageApp;
    private final List<Progress> progressReports = new CopyOnWriteArrayList<>();

    private TestPublishContext(String siteKey, String deploymentKey, Path outputDirectory, TaskLog log,
                               ConfigValues globalSettings, ConfigValues projectSettings, boolean singlePageApp) {
        if (!siteKey.matches("[a-z0-9-]+(/[a-z0-9-]+)*")) {
            throw new IllegalArgumentException("The host's site keys are lower-case letters, digits, - and /: "
                    + siteKey);
        }
        this.siteKey = siteKey;
        this.deploymentKey = Objects.requireNonNull(deploymentKey, "deploymentKey");
        this.outputDirectory = Objects.requireNonNull(outputDirectory, "outputDirectory");
        this.log = Objects.requireNonNull(log, "log");
        this.globalSettings = Objects.requireNonNull(globalSettings, "globalSettings");
        this.projectSettings = Objects.requireNonNull(projectSettings, "projectSettings");
        this.singlePageApp = singlePageApp;
    }

    /** A context publishing {@code outputDirectory} with the defaults listed on the class. */
    public static TestPublishContext of(Path outputDirectory, TaskLog log) {
        return new TestPublishContext("my-site", "1", outputDirectory, log, ConfigValues.EMPTY, ConfigValues.EMPTY,
                false);
    }

    /** A copy for another site ({@code blog}, or {@code blog/pr-12} for a preview). */
    public TestPublishContext withSiteKey(String newSiteKey) {
        return new TestPublishContext(newSiteKey, deploymentKey, outputDirectory, log, globalSettings,
                projectSettings, singlePageApp);
    }

    /** A copy for another deployment id (a decimal string, as the host gives it). */
    public TestPublishContext withDeploymentKey(String newDeploymentKey) {
        return new TestPublishContext(siteKey, newDeploymentKey, outputDirectory, log, globalSettings,
                projectSettings, singlePageApp);
    }

    /** A copy with other settings. */
    public TestPublishContext withSettings(ConfigValues global, ConfigValues project) {
        return new TestPublishContext(siteKey, deploymentKey, outputDirectory, log, global, project, singlePageApp);
    }

    /** A copy for a single-page app, or not. */
    public TestPublishContext withSinglePageApp(boolean newSinglePageApp) {
        return new TestPublishContext(siteKey, deploymentKey, outputDirectory, log, globalSettings, projectSettings,
                newSinglePageApp);
    }

    @Override
    public String siteKey() {
        return siteKey;
    }

    @Override
    public String deploymentKey() {
        return deploymentKey;
    }

    @Override
    public Path outputDirectory() {
        return outputDirectory;
    }

    @Override
    public TaskLog log() {
        return log;
    }

    @Override
    public ConfigValues globalSettings() {
        return globalSettings;
    }

    @Override
    public ConfigValues projectSettings() {
        return projectSettings;
    }

    @Override
    public boolean singlePageApp() {
        return singlePageApp;
    }

    /** Keeps the report; see {@link #progressReports()}. */
    @Override
    public void progress(long filesDone, long filesTotal, long bytesDone, long bytesTotal) {
        progressReports.add(new Progress(filesDone, filesTotal, bytesDone, bytesTotal));
    }

    /** Every progress report so far, in the order they arrived. */
    public List<Progress> progressReports() {
        return List.copyOf(progressReports);
    }
}
