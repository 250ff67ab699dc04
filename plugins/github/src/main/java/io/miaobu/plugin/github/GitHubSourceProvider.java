package io.miaobu.plugin.github;

import com.fasterxml.jackson.databind.JsonNode;
import io.miaobu.api.ExtensionException;
import io.miaobu.api.Secret;
import io.miaobu.api.host.TaskLog;
import io.miaobu.api.source.CheckoutRequest;
import io.miaobu.api.source.Commit;
import io.miaobu.api.source.CommitStatus;
import io.miaobu.api.source.PreviewComment;
import io.miaobu.api.source.RefState;
import io.miaobu.api.source.RepositoryInfo;
import io.miaobu.api.source.RepositoryPage;
import io.miaobu.api.source.RepositoryQuery;
import io.miaobu.api.source.SourceProvider;
import io.miaobu.api.source.SourceRepository;
import io.miaobu.api.source.WebhookDelivery;
import io.miaobu.api.source.WebhookEvent;
import io.miaobu.api.source.WebhookSetup;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.Repository;
import org.pf4j.Extension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Repositories on GitHub or GitHub Enterprise Server: branches and commits through the REST API, shallow checkouts of
 * the exact commit over https with the user's token, the repository picker, webhooks, commit statuses and one preview
 * comment per pull request.
 */
@Extension
public final class GitHubSourceProvider extends GitHubExtension implements SourceProvider {

    /** Shared with {@link GitHubIdentityProvider}: the host pairs the two by id. */
    static final String ID = "github";
    /** How many pages of 100 repositories a search looks through. */
    static final int SEARCH_PAGES = 10;
    static final int DESCRIPTION_LIMIT = 140;
    private static final String AFFILIATION = "owner,collaborator,organization_member";
    private static final Pattern FULL_SHA = Pattern.compile("[0-9a-f]{40}([0-9a-f]{24})?");
    private static final Logger LOG = LoggerFactory.getLogger(GitHubSourceProvider.class);

    private final GitHubApi api;

    public GitHubSourceProvider() {
        this(new GitHubApi());
    }

    GitHubSourceProvider(GitHubApi api) {
        this.api = api;
    }

    /** For tests: retries wait {@code backoffBase}, then twice that. */
    GitHubSourceProvider(Duration backoffBase) {
        this(new GitHubApi(backoffBase, Clock.systemUTC()));
    }

    /**
     * https addresses on github.com only: this call has no settings, so repositories on a GitHub Enterprise Server are
     * given this provider by the import picker rather than recognised by URL.
     */
    @Override
    public boolean handles(String url) {
        return RepositoryName.isGitHubComUrl(url);
    }

    /**
     * The token is GitHub's: it goes to the configured GitHub host only, never to a clone URL somewhere else (a URL
     * edited in the import form, say).
     */
    private static void requireOnGitHub(SourceRepository repository, GitHubSettings settings) {
        if (repository.credential() == null) {
            return;
        }
        URI url = URI.create(repository.url());
        URI web = settings.webUrl();
        boolean sameOrigin = web.getScheme().equalsIgnoreCase(String.valueOf(url.getScheme()))
                && web.getHost().equalsIgnoreCase(String.valueOf(url.getHost()))
                && portOf(web) == portOf(url);
        if (!sameOrigin) {
            throw new ExtensionException("The repository " + url.getScheme() + "://" + url.getHost()
                    + "/… is not on " + web.getHost() + ", the GitHub this server uses, so the GitHub token is not"
                    + " sent there.");
        }
    }

    private static int portOf(URI uri) {
        if (uri.getPort() >= 0) {
            return uri.getPort();
        }
        return "http".equalsIgnoreCase(uri.getScheme()) ? 80 : 443;
    }

    @Override
    public String resolveBranch(SourceRepository repository) {
        GitHubSettings settings = GitHubSettings.from(repository.global());
        RepositoryName name = RepositoryName.fromUrl(repository.url());
        String branch = branchName(repository.branch());
        GitHubApi.Response response = api.get(settings, repository.credential(),
                name.apiPath() + "/branches/" + pathOf(branch));
        if (response.status() == 404) {
            throw new ExtensionException("Branch " + branch + " does not exist in " + name
                    + ", or the token cannot see the repository.");
        }
        String sha = GitHubApi.require(response, "repository " + name).json().path("commit").path("sha").asText("");
        if (!FULL_SHA.matcher(sha).matches()) {
            throw new ExtensionException("GitHub's answer about branch " + branch + " of " + name + " had no commit.");
        }
        return sha;
    }

    @Override
    public Commit checkout(CheckoutRequest request, TaskLog log) throws InterruptedException {
        SourceRepository repository = request.repository();
        RepositoryName name = RepositoryName.fromUrl(repository.url());
        String branch = branchName(repository.branch());
        requireOnGitHub(repository, GitHubSettings.from(repository.global()));
        GitHubCheckout checkout = new GitHubCheckout(repository.url(), name, repository.credential());
        if (Thread.interrupted()) {
            throw new InterruptedException("checkout cancelled");
        }
        String sha;
        if (request.commitSha() == null) {
            log.info("Resolving branch " + branch + " of " + name);
            sha = checkout.remoteTip(branch);
        } else {
            sha = request.commitSha().strip().toLowerCase(Locale.ROOT);
            if (!FULL_SHA.matcher(sha).matches()) {
                throw new ExtensionException("'" + request.commitSha() + "' is not a full commit id.");
            }
        }
        return checkout.checkout(sha, request.workspace(), log);
    }

    @Override
    public RepositoryPage listRepositories(RepositoryQuery query) {
        GitHubSettings settings = GitHubSettings.from(query.global());
        Secret token = requireToken(query.credential());
        int perPage = Math.max(1, Math.min(100, query.perPage()));
        int page = Math.max(1, query.page());
        String search = query.search() == null ? "" : query.search().strip().toLowerCase(Locale.ROOT);
        if (search.isEmpty()) {
            GitHubApi.Response response = GitHubApi.require(api.get(settings, token, reposPath(perPage, page)),
                    "list of your repositories");
            List<RepositoryInfo> repositories = new ArrayList<>();
            response.json().forEach(repo -> repositories.add(info(repo)));
            return new RepositoryPage(repositories, response.next().isPresent());
        }
        List<RepositoryInfo> matches = new ArrayList<>();
        for (JsonNode repo : api.getAll(settings, token, reposPath(100, 1), SEARCH_PAGES,
                "list of your repositories")) {
            if (repo.path("full_name").asText("").toLowerCase(Locale.ROOT).contains(search)) {
                matches.add(info(repo));
            }
        }
        int from = Math.min(matches.size(), (page - 1) * perPage);
        int to = Math.min(matches.size(), from + perPage);
        return new RepositoryPage(matches.subList(from, to), to < matches.size());
    }

    @Override
    public WebhookEvent parseWebhook(WebhookDelivery delivery) {
        return GitHubWebhookParser.parse(delivery);
    }

    @Override
    public void reportStatus(CommitStatus status) {
        SourceRepository repository = status.repository();
        GitHubSettings settings = GitHubSettings.from(repository.global());
        RepositoryName name = RepositoryName.fromUrl(repository.url());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("state", status.state().name().toLowerCase(Locale.ROOT));
        if (status.targetUrl() != null) {
            body.put("target_url", status.targetUrl().toString());
        }
        body.put("description", shorten(status.description() == null ? "" : status.description()));
        body.put("context", status.context());
        GitHubApi.require(api.post(settings, repository.credential(),
                name.apiPath() + "/statuses/" + status.commitSha(), body), "commit status of " + name);
    }

    @Override
    public boolean supportsWebhooks() {
        return true;
    }

    @Override
    public String installWebhook(WebhookSetup setup) {
        SourceRepository repository = setup.repository();
        GitHubSettings settings = GitHubSettings.from(repository.global());
        RepositoryName name = RepositoryName.fromUrl(repository.url());
        Secret token = requireToken(repository.credential());
        String subject = "webhooks of " + name;
        Map<String, Object> hook = new LinkedHashMap<>();
        hook.put("name", "web");
        hook.put("active", true);
        hook.put("events", List.of("push", "pull_request"));
        hook.put("config", hookConfig(setup));
        GitHubApi.Response created = api.post(settings, token, name.apiPath() + "/hooks", hook);
        if (created.status() == 422 && created.message().toLowerCase(Locale.ROOT).contains("already exists")) {
            String url = setup.callbackUrl().toString();
            for (JsonNode existing : api.getAll(settings, token, name.apiPath() + "/hooks?per_page=100", 10,
                    subject)) {
                if (url.equals(existing.path("config").path("url").asText())) {
                    String id = existing.path("id").asText();
                    Map<String, Object> update = new LinkedHashMap<>();
                    update.put("active", true);
                    update.put("events", List.of("push", "pull_request"));
                    update.put("config", hookConfig(setup));
                    GitHubApi.require(api.patch(settings, token, name.apiPath() + "/hooks/" + id, update), subject);
                    LOG.info("Updated the existing GitHub webhook {} of {}", id, name);
                    return id;
                }
            }
        }
        if (created.status() == 404 || created.status() == 403) {
            // GitHub answers 404, not 403, when the user may read the repository but not administer it
            throw new ExtensionException("GitHub did not let the signed-in user create a webhook on " + name
                    + ": creating webhooks needs admin rights on the repository (or it is gone). Ask an admin of "
                    + name + " to import it, or add the webhook by hand.");
        }
        String id = GitHubApi.require(created, subject).json().path("id").asText("");
        if (id.isEmpty()) {
            throw new ExtensionException("GitHub's answer to creating the webhook of " + name + " had no id.");
        }
        return id;
    }

    @Override
    public void removeWebhook(SourceRepository repository, String webhookId) {
        GitHubSettings settings = GitHubSettings.from(repository.global());
        RepositoryName name = RepositoryName.fromUrl(repository.url());
        if (!webhookId.matches("\\d{1,19}")) {
            throw new ExtensionException("'" + webhookId + "' is not a GitHub webhook id.");
        }
        GitHubApi.Response response = api.delete(settings, repository.credential(),
                name.apiPath() + "/hooks/" + webhookId);
        if (response.status() != 404) {
            GitHubApi.require(response, "webhook " + webhookId + " of " + name);
        }
    }

    @Override
    public RefState pullRequestState(SourceRepository repository, int number) {
        try {
            GitHubSettings settings = GitHubSettings.from(repository.global());
            RepositoryName name = RepositoryName.fromUrl(repository.url());
            GitHubApi.Response response = api.get(settings, repository.credential(),
                    name.apiPath() + "/pulls/" + number);
            if (response.status() == 404) {
                return RefState.GONE;
            }
            if (!response.ok()) {
                return RefState.UNKNOWN;
            }
            return switch (response.json().path("state").asText("")) {
                case "open" -> RefState.OPEN;
                case "closed" -> RefState.GONE;
                default -> RefState.UNKNOWN;
            };
        } catch (ExtensionException e) {
            LOG.info("Could not ask GitHub about pull request {}: {}", number, e.getMessage());
            return RefState.UNKNOWN;
        }
    }

    @Override
    public RefState branchState(SourceRepository repository, String branch) {
        try {
            GitHubSettings settings = GitHubSettings.from(repository.global());
            RepositoryName name = RepositoryName.fromUrl(repository.url());
            GitHubApi.Response response = api.get(settings, repository.credential(),
                    name.apiPath() + "/branches/" + pathOf(branchName(branch)));
            return response.ok() ? RefState.OPEN : response.status() == 404 ? RefState.GONE : RefState.UNKNOWN;
        } catch (ExtensionException e) {
            LOG.info("Could not ask GitHub about a branch: {}", e.getMessage());
            return RefState.UNKNOWN;
        }
    }

    @Override
    public void reportPreview(PreviewComment comment) {
        SourceRepository repository = comment.repository();
        GitHubSettings settings = GitHubSettings.from(repository.global());
        RepositoryName name = RepositoryName.fromUrl(repository.url());
        Secret token = requireToken(repository.credential());
        String subject = "comments of pull request #" + comment.pullRequest() + " of " + name;
        String issue = name.apiPath() + "/issues/" + comment.pullRequest();
        String marker = PreviewCommentBody.markerOf(comment.marker());
        Map<String, Object> body = Map.of("body", PreviewCommentBody.render(comment));
        for (JsonNode existing : api.getAll(settings, token, issue + "/comments?per_page=100", 30, subject)) {
            if (existing.path("body").asText("").contains(marker)) {
                GitHubApi.require(api.patch(settings, token,
                        name.apiPath() + "/issues/comments/" + existing.path("id").asText(), body), subject);
                return;
            }
        }
        GitHubApi.require(api.post(settings, token, issue + "/comments", body), subject);
    }

    private static Map<String, Object> hookConfig(WebhookSetup setup) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("url", setup.callbackUrl().toString());
        config.put("content_type", "json");
        config.put("secret", setup.secret().reveal());
        config.put("insecure_ssl", "0");
        return config;
    }

    private static RepositoryInfo info(JsonNode repo) {
        String webUrl = repo.path("html_url").asText("");
        return new RepositoryInfo(repo.path("full_name").asText(), repo.path("clone_url").asText(),
                repo.path("default_branch").asText("main"), repo.path("private").asBoolean(false),
                webUrl.isEmpty() ? null : webUrl);
    }

    private static String reposPath(int perPage, int page) {
        return "/user/repos?affiliation=" + GitHubApi.encode(AFFILIATION) + "&sort=pushed&per_page=" + perPage
                + "&page=" + page;
    }

    private static Secret requireToken(Secret token) {
        if (token == null || token.isEmpty()) {
            throw new ExtensionException("This needs a GitHub token: sign in with GitHub first.");
        }
        return token;
    }

    private static String branchName(String branch) {
        String name = branch == null ? "" : branch.strip();
        if (name.startsWith(Constants.R_HEADS)) {
            name = name.substring(Constants.R_HEADS.length());
        }
        if (name.isEmpty() || !Repository.isValidRefName(Constants.R_HEADS + name)) {
            throw new ExtensionException("'" + name + "' is not a valid branch name.");
        }
        return name;
    }

    /** A branch name as a URL path: GitHub takes its slashes as they are, everything else encoded. */
    private static String pathOf(String branch) {
        List<String> segments = new ArrayList<>();
        for (String segment : branch.split("/")) {
            segments.add(GitHubApi.encode(segment).replace("+", "%20"));
        }
        return String.join("/", segments);
    }

    private static String shorten(String text) {
        String oneLine = text.replaceAll("\\s+", " ").strip();
        return oneLine.length() <= DESCRIPTION_LIMIT ? oneLine : oneLine.substring(0, DESCRIPTION_LIMIT - 1) + "…";
    }
}
