package io.miaobu.plugin.git;

import io.miaobu.api.ExtensionException;
import io.miaobu.api.Secret;
import io.miaobu.api.config.ConfigField;
import io.miaobu.api.config.ConfigSchema;
import io.miaobu.api.host.TaskLog;
import io.miaobu.api.source.CheckoutRequest;
import io.miaobu.api.source.Commit;
import io.miaobu.api.source.SourceProvider;
import io.miaobu.api.source.SourceRepository;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.api.errors.InvalidRemoteException;
import org.eclipse.jgit.api.errors.JGitInternalException;
import org.eclipse.jgit.errors.NoRemoteRepositoryException;
import org.eclipse.jgit.errors.NotSupportedException;
import org.eclipse.jgit.errors.RepositoryNotFoundException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.SshSessionFactory;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.eclipse.jgit.util.SystemReader;
import org.pf4j.Extension;

/**
 * Any git repository JGit can reach: http(s) (with a token), git://, ssh (when an SSH transport is available), a local
 * path or a {@code file://} URL. More specific providers (GitHub) are asked first; this one is the fallback.
 */
@Extension
public final class GitSourceProvider implements SourceProvider {

    /** GitHub's and GitLab's convention for a token sent as HTTP basic credentials. */
    static final String TOKEN_USER = "x-access-token";

    /** How many commits to fetch when a requested commit is not the tip, before fetching the whole history. */
    static final int DEEPEN_BY = 100;

    private static final Pattern HTTP_DENIED = Pattern.compile("\\b40[13]\\b");
    private static final Pattern FULL_SHA = Pattern.compile("[0-9a-f]{40}([0-9a-f]{24})?");

    public GitSourceProvider() {
    }

    @Override
    public String id() {
        return "git";
    }

    @Override
    public String displayName() {
        return "Git repository";
    }

    /** Setting: a token for https remotes that bring no credential of their own (a private Git server's bot). */
    static final String HTTPS_TOKEN = "https-token";

    /**
     * One server-wide setting: an access token sent to https remotes that have no credential of their own, e.g. a
     * machine user on a company Git server. Stored encrypted by the host; never written to a log.
     */
    @Override
    public ConfigSchema globalSettings() {
        return ConfigSchema.of(ConfigField.secret(HTTPS_TOKEN, "HTTPS access token",
                "Sent as the password (user " + TOKEN_USER + ") to https repositories that have no credential of"
                        + " their own. Leave empty for public repositories."));
    }

    @Override
    public boolean handles(String url) {
        return GitUrl.handles(url);
    }

    @Override
    public String resolveBranch(SourceRepository repository) {
        GitUrl url = GitUrl.parse(repository.url());
        String branch = requireBranchName(repository.branch());
        Credentials credentials = credentials(credentialOf(repository, url), url);
        try {
            return remoteTip(url, branch, credentials).name();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ExtensionException("Resolving branch " + branch + " of " + url.display() + " was cancelled.");
        }
    }

    @Override
    public Commit checkout(CheckoutRequest request, TaskLog log) throws InterruptedException {
        SourceRepository repository = request.repository();
        GitUrl url = GitUrl.parse(repository.url());
        String branch = requireBranchName(repository.branch());
        ObjectId wanted = request.commitSha() == null ? null : parseSha(request.commitSha());
        Credentials credentials = credentials(credentialOf(repository, url), url);
        Path workspace = request.workspace();
        requireEmpty(workspace);

        log.info("Cloning " + url.display() + " (branch " + branch + ")");
        // JGit's file transport swallows an interrupt that arrives while it runs; notice one from before it starts
        if (Thread.interrupted()) {
            throw new InterruptedException("checkout cancelled");
        }
        remoteTip(url, branch, credentials);
        TaskLogProgressMonitor monitor = new TaskLogProgressMonitor(log, Thread.currentThread());
        try (ShallowClone clone = ShallowClone.init(workspace, url, branch, credentials.provider(), monitor)) {
            ObjectId tip = clone.fetch(1);
            stopIfCancelled(monitor);
            ObjectId target = wanted == null ? tip : findOnBranch(clone, url, branch, tip, wanted, monitor, log);
            RevCommit commit = clone.checkout(target);
            stopIfCancelled(monitor);
            log.info("Checked out " + commit.name() + " " + commit.getShortMessage());
            return toCommit(commit);
        } catch (GitAPIException | IOException | JGitInternalException e) {
            throw translate(e, url, credentials, branch);
        }
    }

    /**
     * The requested commit is usually the tip (a push was just received); otherwise fetch more history, a little and
     * then all of it, until the commit turns up.
     */
    private static ObjectId findOnBranch(ShallowClone clone, GitUrl url, String branch, ObjectId tip,
                                         ObjectId wanted, TaskLogProgressMonitor monitor, TaskLog log)
            throws GitAPIException, IOException, InterruptedException {
        if (!wanted.equals(tip) && !clone.has(wanted)) {
            log.info("Commit " + wanted.name() + " is not the tip of " + branch + "; fetching the last "
                    + DEEPEN_BY + " commits");
            tip = clone.deepen(DEEPEN_BY);
            stopIfCancelled(monitor);
            if (!clone.has(wanted) && clone.isShallow()) {
                log.info("Fetching the whole history of " + branch);
                tip = clone.deepen(0);
                stopIfCancelled(monitor);
            }
        }
        if (!clone.isReachable(wanted, tip)) {
            throw new ExtensionException("Commit " + wanted.name() + " is not on branch " + branch + " of "
                    + url.display() + ".");
        }
        return wanted;
    }

    /** Asks the remote for its branches; separates "repository unreachable" from "branch missing". */
    private static ObjectId remoteTip(GitUrl url, String branch, Credentials credentials)
            throws InterruptedException {
        if (url.local() && !isRepository(url.localPath())) {
            throw new ExtensionException("Repository " + url.display() + " was not found.");
        }
        // JGit's core has no SSH client of its own: it needs an SSH library or an external ssh named by GIT_SSH
        if (url.ssh() && SshSessionFactory.getInstance() == null
                && SystemReader.getInstance().getenv("GIT_SSH") == null) {
            throw new ExtensionException("Miaobu cannot fetch " + url.display() + " over SSH. Use the repository's "
                    + "https URL with an access token.");
        }
        Map<String, Ref> heads;
        try {
            heads = Git.lsRemoteRepository()
                    .setRemote(url.connect())
                    .setHeads(true)
                    .setCredentialsProvider(credentials.provider())
                    .setTimeout(ShallowClone.NETWORK_TIMEOUT_SECONDS)
                    .callAsMap();
        } catch (GitAPIException | JGitInternalException e) {
            throw translate(e, url, credentials, branch);
        }
        Ref ref = heads.get(Constants.R_HEADS + branch);
        if (ref == null || ref.getObjectId() == null) {
            throw new ExtensionException("Branch " + branch + " was not found in " + url.display() + ".");
        }
        return ref.getObjectId();
    }

    private static boolean isRepository(Path path) {
        return Files.isDirectory(path)
                && (Files.isDirectory(path.resolve(".git")) || Files.isRegularFile(path.resolve(".git"))
                || Files.isRegularFile(path.resolve("HEAD")) && Files.isDirectory(path.resolve("objects")));
    }

    /** The repository's own credential; else, for https remotes, the server-wide token when one is set. */
    private static Secret credentialOf(SourceRepository repository, GitUrl url) {
        if (repository.credential() != null && !repository.credential().isEmpty()) {
            return repository.credential();
        }
        if (url.http() && url.urlUser() == null) {
            return repository.global().secret(HTTPS_TOKEN).orElse(null);
        }
        return null;
    }

    private static Credentials credentials(Secret credential, GitUrl url) {
        List<String> secrets = new ArrayList<>(url.secrets());
        if (credential != null && !credential.isEmpty()) {
            secrets.add(credential.reveal());
            return new Credentials(new UsernamePasswordCredentialsProvider(TOKEN_USER, credential.reveal()), secrets);
        }
        if (url.http() && url.urlUser() != null) {
            String password = url.urlPassword() == null ? "" : url.urlPassword();
            return new Credentials(new UsernamePasswordCredentialsProvider(url.urlUser(), password), secrets);
        }
        return new Credentials(null, secrets);
    }

    private static String requireBranchName(String branch) {
        String name = branch == null ? "" : branch.strip();
        if (name.startsWith(Constants.R_HEADS)) {
            name = name.substring(Constants.R_HEADS.length());
        }
        if (name.isEmpty() || !Repository.isValidRefName(Constants.R_HEADS + name)) {
            throw new ExtensionException("'" + name + "' is not a valid branch name.");
        }
        return name;
    }

    private static ObjectId parseSha(String sha) {
        String normalised = sha.strip().toLowerCase(Locale.ROOT);
        if (!FULL_SHA.matcher(normalised).matches()) {
            throw new ExtensionException("'" + sha + "' is not a full commit id.");
        }
        return ObjectId.fromString(normalised);
    }

    private static void requireEmpty(Path workspace) {
        try {
            Files.createDirectories(workspace);
            try (Stream<Path> entries = Files.list(workspace)) {
                if (entries.findAny().isPresent()) {
                    throw new ExtensionException("The workspace " + workspace + " is not empty.");
                }
            }
        } catch (IOException e) {
            throw new ExtensionException("The workspace " + workspace + " cannot be used.", e);
        }
    }

    private static void stopIfCancelled(TaskLogProgressMonitor monitor) throws InterruptedException {
        if (monitor.isCancelled()) {
            Thread.interrupted();
            throw new InterruptedException("checkout cancelled");
        }
    }

    private static Commit toCommit(RevCommit commit) {
        PersonIdent author = commit.getAuthorIdent();
        return new Commit(commit.name(), author.getName(), author.getEmailAddress(), commit.getFullMessage(),
                commit.getCommitterIdent().getWhenAsInstant());
    }

    /**
     * Turns a JGit failure into a message a user can act on. JGit's own text is used only as a last resort, and then
     * with every known secret and any URL user info removed. A cancellation becomes an {@link InterruptedException}.
     */
    private static ExtensionException translate(Exception e, GitUrl url, Credentials credentials, String branch)
            throws InterruptedException {
        if (Thread.currentThread().isInterrupted() || isCancellation(e)) {
            Thread.interrupted();
            InterruptedException cancelled = new InterruptedException("git operation cancelled");
            cancelled.initCause(e);
            throw cancelled;
        }
        if (e instanceof ExtensionException extension) {
            return extension;
        }
        String where = url.display();
        String text = allMessages(e).toLowerCase(Locale.ROOT);
        if (has(e, UnknownHostException.class)) {
            return new ExtensionException("The host of " + where + " could not be found. Check the repository URL.", e);
        }
        if (has(e, ConnectException.class) || has(e, NoRouteToHostException.class)
                || has(e, SocketTimeoutException.class)) {
            return new ExtensionException("Could not connect to " + where + ". Check the URL and that the server is "
                    + "reachable from Miaobu.", e);
        }
        if (text.contains("not authorized") || text.contains("authentication is required")
                || text.contains("auth fail") || text.contains("not permitted") || HTTP_DENIED.matcher(text).find()) {
            return new ExtensionException("Authentication to " + where + " failed. Check the access token and its "
                    + "permissions.", e);
        }
        if (has(e, NoRemoteRepositoryException.class) || has(e, InvalidRemoteException.class)
                || has(e, RepositoryNotFoundException.class) || text.contains("not found")
                || text.contains("does not appear to be a git repository")) {
            String access = credentials.provider() == null && url.http()
                    ? " If it is private, add an access token." : "";
            return new ExtensionException("Repository " + where + " was not found." + access, e);
        }
        if (text.contains("remote does not have")) {
            return new ExtensionException("Branch " + branch + " was not found in " + where + ".", e);
        }
        if (has(e, NotSupportedException.class) || text.contains("uri not supported")) {
            return new ExtensionException("Miaobu cannot fetch " + where + " over this protocol. Use an https URL "
                    + "with an access token.", e);
        }
        return new ExtensionException("Could not fetch " + where + ": " + credentials.redact(rootMessage(e)), e);
    }

    private static boolean isCancellation(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof InterruptedException || t instanceof InterruptedIOException && !(t instanceof
                    SocketTimeoutException) || t instanceof ClosedByInterruptException
                    || t.getClass().getSimpleName().contains("Cancel")) {
                return true;
            }
        }
        return false;
    }

    private static boolean has(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private static String allMessages(Throwable e) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            text.append(' ').append(t.getMessage());
        }
        return text.toString();
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return Objects.requireNonNullElse(root.getMessage(), root.getClass().getSimpleName());
    }

    /** The credentials provider for one call and the values it must never show. */
    private record Credentials(CredentialsProvider provider, List<String> secrets) {

        String redact(String text) {
            String redacted = GitUrl.withoutUserInfo(text);
            for (String secret : secrets) {
                redacted = redacted.replace(secret, "****");
            }
            return redacted;
        }
    }
}
