package io.miaobu.server.preview;

import io.miaobu.api.source.RefState;
import io.miaobu.api.source.SourceProvider;
import io.miaobu.api.source.SourceRepository;
import io.miaobu.server.boot.Managed;
import io.miaobu.server.boot.PeriodicTask;
import io.miaobu.server.project.Project;
import io.miaobu.server.project.ProjectDao;
import io.miaobu.server.source.ProjectSources;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes previews whose pull request was closed or whose branch was deleted without Miaobu hearing of it (a webhook
 * lost, or none): every {@code previews.sweep.interval} it asks each preview's source provider. Only a clear
 * {@link RefState#GONE} removes a preview; a provider that cannot tell, or fails, leaves it for the next sweep. Several
 * nodes may sweep at once: removing a preview twice is harmless.
 */
public final class PreviewSweep implements Managed {

    private static final Logger LOG = LoggerFactory.getLogger(PreviewSweep.class);

    private final Previews previews;
    private final ProjectDao projects;
    private final ProjectSources sources;
    private final PeriodicTask schedule;

    public PreviewSweep(Jdbi jdbi, Previews previews, ProjectSources sources, Duration interval) {
        this.previews = previews;
        this.projects = jdbi.onDemand(ProjectDao.class);
        this.sources = sources;
        this.schedule = new PeriodicTask("preview-sweep", interval, () -> sweep());
    }

    @Override
    public void start() {
        schedule.start();
    }

    @Override
    public void stop() throws InterruptedException {
        schedule.stop();
    }

    /**
     * Asks about every preview now, on the calling thread.
     *
     * @return how many previews were removed
     */
    public int sweep() {
        int removed = 0;
        Map<Long, Optional<Project>> projectsById = new HashMap<>();
        for (Preview preview : previews.listAll()) {
            if (Thread.currentThread().isInterrupted()) {
                break;
            }
            Optional<Project> project = projectsById.computeIfAbsent(preview.projectId(), projects::findById);
            if (project.isEmpty()) {
                continue;
            }
            RefState state = stateOf(project.get(), preview);
            if (state == RefState.GONE) {
                String why = preview.kind() == Preview.Kind.PULL_REQUEST
                        ? "pull request #" + preview.pullRequest() + " is closed"
                        : "branch " + preview.branch() + " no longer exists";
                try {
                    if (previews.removeStale(project.get(), preview, why)) {
                        LOG.info("Removed preview {} of {}: {}", preview.label(), project.get().slug(), why);
                        removed++;
                    }
                } catch (RuntimeException e) {
                    LOG.warn("Could not remove preview {} of {} ({}); trying again in the next sweep: {}",
                            preview.label(), project.get().slug(), why, e.toString());
                }
            }
        }
        return removed;
    }

    private RefState stateOf(Project project, Preview preview) {
        Optional<SourceProvider> provider = sources.providerOf(project);
        if (provider.isEmpty()) {
            return RefState.UNKNOWN;
        }
        try {
            SourceRepository repository = sources.repositoryOf(project, provider.get(), project.branch());
            RefState state = preview.kind() == Preview.Kind.PULL_REQUEST
                    ? provider.get().pullRequestState(repository, preview.pullRequest())
                    : provider.get().branchState(repository, preview.branch());
            return state == null ? RefState.UNKNOWN : state;
        } catch (RuntimeException e) {
            LOG.warn("Could not ask {} about preview {} of {}; keeping it: {}", provider.get().id(), preview.label(),
                    project.slug(), e.toString());
            return RefState.UNKNOWN;
        }
    }
}
