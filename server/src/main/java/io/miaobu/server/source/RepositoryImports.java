package io.miaobu.server.source;

import io.miaobu.api.ExtensionException;
import io.miaobu.api.Secret;
import io.miaobu.api.build.BuildPlan;
import io.miaobu.api.build.Builder;
import io.miaobu.api.host.TaskLog;
import io.miaobu.api.source.CheckoutRequest;
import io.miaobu.api.source.Commit;
import io.miaobu.api.source.RepositoryInfo;
import io.miaobu.api.source.RepositoryPage;
import io.miaobu.api.source.RepositoryQuery;
import io.miaobu.api.source.SourceProvider;
import io.miaobu.api.source.SourceRepository;
import io.miaobu.server.auth.User;
import io.miaobu.server.build.BuildService;
import io.miaobu.server.build.Deployment;
import io.miaobu.server.files.FileTrees;
import io.miaobu.server.plugin.ExtensionRegistry;
import io.miaobu.server.plugin.ExtensionSettings;
import io.miaobu.server.project.Project;
import io.miaobu.server.project.ProjectForm;
import io.miaobu.server.project.ProjectService;
import io.miaobu.server.web.UserFacingException;
import io.miaobu.server.webhook.ProjectWebhooks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Importing a repository from a source host the user signed in to: the repository picker (the user's repositories,
 * those already imported marked), the analysis of a chosen one (checked out and shown to the node builder's
 * detection), and the import itself (project, webhook, first deployment).
 */
public final class RepositoryImports {

    private static final Logger LOG = LoggerFactory.getLogger(RepositoryImports.class);
    public static final int PER_PAGE = 30;

    private final Jdbi jdbi;
    private final ExtensionRegistry extensions;
    private final ExtensionSettings settings;
    private final SourceCredentials credentials;
    private final ProjectService projects;
    private final ProjectWebhooks webhooks;
    private final BuildService builds;
    private final Path workspaces;
    private final String defaultBuilder;

    public RepositoryImports(Jdbi jdbi, ExtensionRegistry extensions, ExtensionSettings settings,
                             SourceCredentials credentials, ProjectService projects, ProjectWebhooks webhooks,
                             BuildService builds, Path workspaces, String defaultBuilder) {
        this.jdbi = jdbi;
        this.extensions = extensions;
        this.settings = settings;
        this.credentials = credentials;
        this.projects = projects;
        this.webhooks = webhooks;
        this.builds = builds;
        this.workspaces = workspaces;
        this.defaultBuilder = defaultBuilder;
    }

    /** A repository in the picker; {@code projectId} is set when it is imported already and the user may see it. */
    public record Candidate(RepositoryInfo repository, boolean imported, Long projectId) {
    }

    /** A page of the picker. */
    public record Candidates(String sourceId, String search, int page, List<Candidate> repositories,
                             boolean hasMore) {
    }

    /** What the analysis of a repository found: the proposal the user accepts or overrides. */
    public record Analysis(String cloneUrl, String branch, String rootDirectory, String commitSha, String name,
                           String framework, String packageManager, String installCommand, String buildCommand,
                           String outputDirectory) {
    }

    /** What an import did. */
    public record Imported(Project project, Deployment firstDeployment, boolean webhookInstalled,
                           String webhookProblem) {
    }

    /** The source hosts users can import from: source plugins with a sign-in (identity plugin) of the same id. */
    public List<Map<String, String>> sources() {
        java.util.Set<String> signIns = new java.util.HashSet<>();
        extensions.all(io.miaobu.api.identity.IdentityProvider.class).forEach(p -> signIns.add(p.id()));
        return extensions.all(SourceProvider.class).stream()
                .filter(p -> signIns.contains(p.id()))
                .map(p -> Map.of("id", p.id(), "name", p.displayName()))
                .toList();
    }

    /** Whether the user has connected an account at this source (so the picker can list repositories). */
    public boolean connected(User user, String sourceId) {
        return credentials.forUser(user.id(), sourceId).isPresent();
    }

    public Candidates list(User user, String sourceId, String search, int page) {
        SourceProvider provider = provider(sourceId);
        Secret token = token(user, provider);
        String text = search == null ? "" : search.strip();
        if (text.length() > 100) {
            throw UserFacingException.invalid("q", "Search for at most 100 characters.");
        }
        int pageNumber = Math.max(1, Math.min(page, 1000));
        RepositoryPage found;
        try {
            found = provider.listRepositories(new RepositoryQuery(settings.valuesFor("SourceProvider", provider),
                    token, text, pageNumber, PER_PAGE));
        } catch (ExtensionException e) {
            throw new UserFacingException(502, "source_host_failed", e.getMessage(), null);
        }
        Map<String, Long> importedByUrl = importedProjects(user);
        List<Candidate> candidates = new ArrayList<>();
        for (RepositoryInfo repository : found.repositories()) {
            String key = normalise(repository.cloneUrl());
            boolean imported = importedByUrl.containsKey(key);
            candidates.add(new Candidate(repository, imported, imported ? importedByUrl.get(key) : null));
        }
        return new Candidates(sourceId, text, pageNumber, candidates, found.hasMore());
    }

    /**
     * Checks the repository's branch out with the user's token and lets the builder propose how to build it. Runs on
     * the request thread; the checkout is shallow.
     */
    public Analysis analyse(User user, String sourceId, String cloneUrl, String branch, String rootDirectory) {
        SourceProvider provider = provider(sourceId);
        Secret token = token(user, provider);
        String url = requireText("cloneUrl", cloneUrl);
        String branchName = requireText("branch", branch);
        String root = rootDirectory == null ? "" : rootDirectory.strip();
        if (root.startsWith("/") || root.contains("..") || root.contains("\\")) {
            throw UserFacingException.invalid("rootDirectory", "The root directory is a relative path inside the"
                    + " repository.");
        }
        // the URL is the user's to choose among what their own token can fetch; the source plugin sends the token only
        // to its own host (the github plugin refuses any other)
        Path workspace = workspaces.resolve("import-" + UUID.randomUUID());
        try {
            Files.createDirectories(workspace);
            Commit commit = provider.checkout(new CheckoutRequest(new SourceRepository(url, branchName,
                    settings.valuesFor("SourceProvider", provider), null, token), null, workspace), DISCARD);
            Path sourceDirectory = workspace.resolve(root).normalize();
            if (!sourceDirectory.startsWith(workspace) || !Files.isDirectory(sourceDirectory)) {
                throw UserFacingException.invalid("rootDirectory", "The repository has no directory '" + root + "'.");
            }
            Builder builder = extensions.find(Builder.class, defaultBuilder)
                    .or(() -> extensions.all(Builder.class).stream().findFirst())
                    .orElseThrow(() -> UserFacingException.conflict("No builder plugin is installed."));
            Optional<BuildPlan> plan = builder.detect(sourceDirectory);
            BuildPlan proposal = plan.orElse(new BuildPlan("unknown", "", "", "", "", ""));
            return new Analysis(url, branchName, root, commit.sha(), nameOf(url), proposal.framework(),
                    proposal.packageManager(), proposal.installCommand(), proposal.buildCommand(),
                    proposal.outputDirectory());
        } catch (ExtensionException e) {
            throw new UserFacingException(502, "source_host_failed", e.getMessage(), null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw UserFacingException.conflict("The analysis was interrupted.");
        } catch (IOException e) {
            throw new IllegalStateException("Could not make a directory for the analysis: " + e.getMessage(), e);
        } finally {
            try {
                FileTrees.deleteRecursively(workspace);
            } catch (IOException | RuntimeException e) {
                LOG.warn("Could not delete the analysis directory {}: {}", workspace, e.getMessage());
            }
        }
    }

    /**
     * Creates the project from the accepted (or overridden) proposal, registers its webhook and queues its first
     * deployment. A webhook the source host refuses does not undo the import; the problem is reported.
     */
    public Imported importRepository(User user, String sourceId, ProjectForm form) {
        SourceProvider provider = provider(sourceId);
        Secret token = token(user, provider);
        Project project = projects.create(form, user, new ProjectService.SourceConnection(provider.id(), token));
        boolean installed = false;
        String problem = null;
        if (provider.supportsWebhooks()) {
            try {
                installed = webhooks.install(project).installed();
            } catch (UserFacingException e) {
                problem = e.getMessage();
                LOG.warn("Project {} was imported without a webhook: {}", project.slug(), e.getMessage());
            }
        }
        Deployment first = builds.enqueue(project, user, "created", null);
        return new Imported(project, first, installed, problem);
    }

    private SourceProvider provider(String sourceId) {
        return extensions.find(SourceProvider.class, sourceId)
                .orElseThrow(() -> UserFacingException.notFound("No source plugin '" + sourceId + "' is running."));
    }

    private Secret token(User user, SourceProvider provider) {
        return credentials.forUser(user.id(), provider.id())
                .orElseThrow(() -> new UserFacingException(409, "source_account_missing", "Connect your "
                        + provider.displayName() + " account first (sign in with " + provider.displayName() + ").",
                        null));
    }

    /** Repository URL → project id, for the projects the user can see (admins: all). */
    private Map<String, Long> importedProjects(User user) {
        Map<String, Long> byUrl = new HashMap<>();
        for (Project project : projects.listVisibleTo(user)) {
            byUrl.putIfAbsent(normalise(project.repositoryUrl()), project.id());
        }
        return byUrl;
    }

    static String normalise(String url) {
        String value = url == null ? "" : url.strip().toLowerCase(Locale.ROOT);
        while (value.endsWith("/")) {
            value = value.substring(0, value.length() - 1);
        }
        return value.endsWith(".git") ? value.substring(0, value.length() - 4) : value;
    }

    private static String nameOf(String url) {
        String value = normalise(url);
        int slash = value.lastIndexOf('/');
        String name = slash < 0 ? value : value.substring(slash + 1);
        return name.isEmpty() ? "site" : name;
    }

    private static String requireText(String field, String value) {
        if (value == null || value.isBlank()) {
            throw UserFacingException.invalid(field, "Give the " + field + ".");
        }
        return value.strip();
    }

    private static final TaskLog DISCARD = new TaskLog() {
        @Override
        public void info(String message) {
        }

        @Override
        public void warn(String message) {
        }

        @Override
        public void error(String message) {
        }

        @Override
        public void output(String chunk) {
        }
    };
}
