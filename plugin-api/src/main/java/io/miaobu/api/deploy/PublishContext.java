package io.miaobu.api.deploy;

import io.miaobu.api.config.ConfigValues;
import io.miaobu.api.host.TaskLog;
import java.nio.file.Path;

/** One publication, provided by the host for the duration of {@link DeployTarget#publish} only. */
public interface PublishContext {

    /**
     * The site the deployment belongs to: the project's slug, or {@code <slug>/<preview>} for previews. Lower-case
     * letters, digits, {@code -} and {@code /}.
     */
    String siteKey();

    /** The deployment's id, unique within the server; use it to name the immutable copy. */
    String deploymentKey();

    /** The build output; read it, do not change it. */
    Path outputDirectory();

    /** The deployment's log; report progress here. */
    TaskLog log();

    /** The target's server-wide settings. */
    ConfigValues globalSettings();

    /** The target's settings for this project. */
    ConfigValues projectSettings();

    /**
     * Reports how far publishing has got, for the deployment page's progress bar while it runs. Call it as often as
     * convenient (the host keeps the latest and stores it at most every second or so); from any thread of the
     * publication. The default does nothing.
     *
     * @param filesDone  files published so far (uploaded, or found already stored)
     * @param filesTotal files in the deployment
     * @param bytesDone  bytes of those files so far
     * @param bytesTotal bytes in the deployment
     */
    default void progress(long filesDone, long filesTotal, long bytesDone, long bytesTotal) {
    }

    /**
     * Whether the project is a single-page app: paths that are no file are answered with {@code /index.html} (client
     * side routing) instead of the 404 page. A target that serves through its own edge (not the host's site server)
     * records it with the deployment. The default is false.
     */
    default boolean singlePageApp() {
        return false;
    }
}
