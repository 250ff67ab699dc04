package io.miaobu.server.project;

import io.miaobu.api.ExtensionException;
import io.miaobu.api.Secret;
import io.miaobu.api.build.Builder;
import io.miaobu.api.deploy.DeployTarget;
import io.miaobu.api.source.SourceProvider;
import io.miaobu.api.source.SourceRepository;
import io.miaobu.server.auth.User;
import io.miaobu.server.deploy.LiveSites;
import io.miaobu.server.member.ProjectMembers;
import io.miaobu.server.plugin.ExtensionRegistry;
import io.miaobu.server.web.UserFacingException;
import java.text.Normalizer;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Jdbi;

/** Creating, changing, listing and deleting projects, with every input checked. */
public final class ProjectService {

    private static final Pattern SLUG_UNSAFE = Pattern.compile("[^a-z0-9]+");
    private static final Pattern CONTROL = Pattern.compile("\\p{Cntrl}");
    private static final Pattern BRANCH = Pattern.compile("[A-Za-z0-9._/+-]{1,255}");
    private static final int SLUG_MAX = 40;
    private static final java.util.Set<String> NETWORK_SCHEMES = java.util.Set.of("https", "http", "ssh", "git",
            "git+ssh", "ssh+git");
    /** {@code git@github.com:owner/repo.git}: a user, a host, a colon, a path; not a Windows drive or local path. */
    private static final Pattern SCP_LIKE = Pattern.compile("[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^/\\\\][^\\s]*");

    private final Jdbi jdbi;
    private final ProjectDao projects;
    private final ExtensionRegistry extensions;
    private final LiveSites liveSites;
    private final String defaultBuilder;
    private final String defaultDeployTarget;
    private final boolean localRepositoriesAllowed;
    private final ProjectMembers members;
    private final Clock clock;
    /** A source plugin's server-wide settings (e.g. GitHub's API URL), for resolving the branch at creation. */
    private final java.util.function.Function<SourceProvider, io.miaobu.api.config.ConfigValues> sourceSettings;

    /**
     * @param localRepositoriesAllowed whether admins may use paths on this server (and {@code file:} URLs) as
     *                                 repositories; other users never may
     */
    public ProjectService(Jdbi jdbi, ExtensionRegistry extensions, LiveSites liveSites, String defaultBuilder,
                          String defaultDeployTarget, boolean localRepositoriesAllowed, ProjectMembers members,
                          Clock clock,
                          java.util.function.Function<SourceProvider, io.miaobu.api.config.ConfigValues> sourceSettings) {
        this.sourceSettings = sourceSettings;
        this.jdbi = jdbi;
        this.projects = jdbi.onDemand(ProjectDao.class);
        this.extensions = extensions;
        this.liveSites = liveSites;
        this.defaultBuilder = defaultBuilder;
        this.defaultDeployTarget = defaultDeployTarget;
        this.localRepositoriesAllowed = localRepositoriesAllowed;
        this.members = members;
        this.clock = clock;
    }

    public List<Project> list() {
        return projects.list();
    }

    /** The projects the user may see: all of them for admins, else those the user is a member of. */
    public List<Project> listVisibleTo(User user) {
        return user.isAdmin() ? projects.list() : projects.listForMember(user.id());
    }

    public Project get(long id) {
        return projects.findById(id).orElseThrow(() -> UserFacingException.notFound("No project " + id + "."));
    }

    /**
     * A repository picked at a source host the user signed in to: that source plugin fetches it, with the user's token
     * (and, for the project's life, the token of this user — {@code projects.source_user_id}).
     */
    public record SourceConnection(String sourceProviderId, Secret credential) {
    }

    /** Checks the form, that a source plugin can fetch the repository and that the branch exists, then saves. */
    public Project create(ProjectForm form, User user) {
        return create(form, user, null);
    }

    /**
     * As {@link #create(ProjectForm, User)}; with a connection, its source plugin is used (not the first that handles
     * the URL) and the project remembers the user as the one whose token it acts with.
     */
    public Project create(ProjectForm form, User user, SourceConnection connection) {
        String name = name(form.name());
        String url = required("repositoryUrl", form.repositoryUrl(), 2048, "the repository URL");
        refuseCredentialsIn(url);
        checkRepositoryLocation(url, user != null && user.isAdmin());
        String branch = branch(form.branch());
        String rootDirectory = relativePath("rootDirectory", form.rootDirectory());
        String install = command("installCommand", form.installCommand());
        String build = command("buildCommand", form.buildCommand());
        String output = relativePath("outputDirectory", form.outputDirectory());

        SourceProvider source = connection != null
                ? extensions.find(SourceProvider.class, connection.sourceProviderId())
                        .orElseThrow(() -> UserFacingException.conflict("The source plugin '"
                                + connection.sourceProviderId() + "' is not running."))
                : extensions.all(SourceProvider.class).stream()
                        .filter(p -> safeHandles(p, url))
                        // a source with a sign-in of its own (GitHub) acts with a user's token: it is chosen through
                        // the import flow, which connects one; a URL typed in goes to a generic source when one can
                        .sorted(java.util.Comparator.comparing(p -> signInIds().contains(p.id())))
                        .findFirst()
                        .orElseThrow(() -> UserFacingException.invalid("repositoryUrl",
                                "No installed source plugin can fetch this URL. Use an https, ssh or git URL, or a"
                                        + " path on this server."));
        try {
            source.resolveBranch(new SourceRepository(url, branch, sourceSettings.apply(source), null,
                    connection == null ? null : connection.credential()));
        } catch (ExtensionException e) {
            throw UserFacingException.invalid("repositoryUrl", e.getMessage());
        }
        String builder = extensions.find(Builder.class, defaultBuilder).map(Builder::id)
                .or(() -> extensions.all(Builder.class).stream().findFirst().map(Builder::id))
                .orElseThrow(() -> UserFacingException.conflict("No builder plugin is installed."));
        String target = extensions.find(DeployTarget.class, defaultDeployTarget).map(DeployTarget::id)
                .or(() -> extensions.all(DeployTarget.class).stream().findFirst().map(DeployTarget::id))
                .orElseThrow(() -> UserFacingException.conflict("No deploy target plugin is installed."));

        return jdbi.inTransaction(handle -> {
            ProjectDao dao = handle.attach(ProjectDao.class);
            String slug = uniqueSlug(dao, name);
            var now = clock.instant();
            long id = dao.insert(new Project(0, slug, name, url, branch, rootDirectory, install, build, output,
                    Boolean.TRUE.equals(form.spa()), source.id(), builder, target, null,
                    user == null ? null : user.id(), now, now));
            if (user != null) {
                members.addOwner(handle, id, user.id());
                if (connection != null) {
                    handle.createUpdate("UPDATE projects SET source_user_id = :user WHERE id = :id")
                            .bind("user", user.id()).bind("id", id).execute();
                }
            }
            return dao.findById(id).orElseThrow();
        });
    }

    private java.util.Set<String> signInIds() {
        var ids = new java.util.HashSet<String>();
        extensions.all(io.miaobu.api.identity.IdentityProvider.class).forEach(p -> ids.add(p.id()));
        return ids;
    }

    /** Changes name, branch and build settings; fields left null keep their value. */
    public Project update(long id, ProjectForm form) {
        Project current = get(id);
        var changed = new Project(current.id(), current.slug(),
                form.name() == null ? current.name() : name(form.name()),
                current.repositoryUrl(),
                form.branch() == null ? current.branch() : branch(form.branch()),
                form.rootDirectory() == null ? current.rootDirectory()
                        : relativePath("rootDirectory", form.rootDirectory()),
                form.installCommand() == null ? current.installCommand()
                        : command("installCommand", form.installCommand()),
                form.buildCommand() == null ? current.buildCommand() : command("buildCommand", form.buildCommand()),
                form.outputDirectory() == null ? current.outputDirectory()
                        : relativePath("outputDirectory", form.outputDirectory()),
                form.spa() == null ? current.spa() : form.spa(),
                current.sourceProvider(), current.builder(), current.deployTarget(), current.liveDeploymentId(),
                current.createdBy(), current.createdAt(), clock.instant());
        projects.updateSettings(changed);
        liveSites.setSpaFallback(changed.slug(), changed.spa());
        return get(id);
    }

    static String slugOf(String name) {
        String ascii = Normalizer.normalize(name, Normalizer.Form.NFKD).replaceAll("\\p{M}", "");
        String slug = SLUG_UNSAFE.matcher(ascii.toLowerCase(Locale.ROOT)).replaceAll("-");
        slug = slug.replaceAll("^-+|-+$", "");
        if (slug.length() > SLUG_MAX) {
            slug = slug.substring(0, SLUG_MAX).replaceAll("-+$", "");
        }
        return slug.isEmpty() ? "site" : slug;
    }

    private static String uniqueSlug(ProjectDao dao, String name) {
        String base = slugOf(name);
        String candidate = base;
        for (int n = 2; dao.countBySlug(candidate) > 0; n++) {
            candidate = base + "-" + n;
        }
        return candidate;
    }

    /** URLs are stored and shown to every user: a token in one would leak (and reach build logs). */
    static void refuseCredentialsIn(String url) {
        int scheme = url.indexOf("://");
        if (scheme < 0) {
            return;
        }
        int authorityEnd = url.indexOf('/', scheme + 3);
        String authority = url.substring(scheme + 3, authorityEnd < 0 ? url.length() : authorityEnd);
        int at = authority.lastIndexOf('@');
        if (at >= 0 && authority.substring(0, at).contains(":")) {
            throw UserFacingException.invalid("repositoryUrl", "Do not put a password or token in the repository"
                    + " URL: it would be stored and shown in plain text. Use a public URL, or a path on this server.");
        }
    }

    /**
     * Repositories come from the network over https, http, ssh or git (or scp-style {@code user@host:path}). A path
     * on this server, or a {@code file:} URL, would let a user read any repository the server can: only admins may
     * use them, and only while the server allows them ({@code repositories.local.allowed}).
     */
    void checkRepositoryLocation(String url, boolean admin) {
        String lower = url.toLowerCase(Locale.ROOT);
        int colon = lower.indexOf("://");
        if (colon > 0) {
            String scheme = lower.substring(0, colon);
            if (NETWORK_SCHEMES.contains(scheme)) {
                return;
            }
            if (!scheme.equals("file")) {
                throw UserFacingException.invalid("repositoryUrl", "Use an https, http, ssh or git URL ('" + scheme
                        + "://' is not allowed).");
            }
        } else if (SCP_LIKE.matcher(url).matches()) {
            return;
        }
        if (!localRepositoriesAllowed) {
            throw UserFacingException.invalid("repositoryUrl", "Repositories on this server's disk are switched off"
                    + " here. Use an https, ssh or git URL.");
        }
        if (!admin) {
            throw UserFacingException.invalid("repositoryUrl", "Only admins may use a repository on this server's"
                    + " disk. Use an https, ssh or git URL.");
        }
    }

    private static boolean safeHandles(SourceProvider provider, String url) {
        try {
            return provider.handles(url);
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static String name(String value) {
        String name = required("name", value, 100, "a name");
        if (CONTROL.matcher(name).find()) {
            throw UserFacingException.invalid("name", "The name may not contain control characters.");
        }
        return name;
    }

    private static String required(String field, String value, int max, String what) {
        String stripped = value == null ? "" : value.strip();
        if (stripped.isEmpty()) {
            throw UserFacingException.invalid(field, "Enter " + what + ".");
        }
        if (stripped.length() > max) {
            throw UserFacingException.invalid(field, "At most " + max + " characters.");
        }
        return stripped;
    }

    static String branch(String value) {
        String branch = value == null || value.isBlank() ? "main" : value.strip();
        if (!BRANCH.matcher(branch).matches() || branch.startsWith("-") || branch.startsWith("/")
                || branch.endsWith("/") || branch.endsWith(".lock") || branch.contains("..")
                || branch.contains("//") || branch.endsWith(".")) {
            throw UserFacingException.invalid("branch", "'" + branch + "' is not a valid branch name.");
        }
        return branch;
    }

    static String relativePath(String field, String value) {
        String path = value == null ? "" : value.strip();
        while (path.startsWith("./")) {
            path = path.substring(2);
        }
        if (path.equals(".")) {
            path = "";
        }
        if (path.length() > 255 || CONTROL.matcher(path).find() || path.startsWith("/") || path.contains("\\")) {
            throw UserFacingException.invalid(field, "Enter a path relative to the repository, like 'dist'.");
        }
        for (String segment : path.split("/")) {
            if (segment.equals("..")) {
                throw UserFacingException.invalid(field, "The path may not leave the repository ('..').");
            }
        }
        return path.replaceAll("/+$", "");
    }

    private static String command(String field, String value) {
        String command = value == null ? "" : value.strip();
        if (command.length() > 1024) {
            throw UserFacingException.invalid(field, "At most 1024 characters.");
        }
        if (command.indexOf('\0') >= 0) {
            throw UserFacingException.invalid(field, "The command may not contain NUL characters.");
        }
        return command;
    }
}
