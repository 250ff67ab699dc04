package io.miaobu.plugin.github;

import io.miaobu.api.ExtensionException;
import io.miaobu.api.Secret;
import io.miaobu.api.host.TaskLog;
import io.miaobu.api.source.Commit;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.api.errors.JGitInternalException;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheCheckout;
import org.eclipse.jgit.errors.NoRemoteRepositoryException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.TagOpt;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;

/**
 * Fetches exactly one commit of a GitHub repository, one commit deep, into a build's workspace and checks it out
 * detached. The token reaches git only through a {@link CredentialsProvider}: never in the URL (which is not written
 * into {@code .git/config} either), a command line, a log line or a message.
 */
final class GitHubCheckout {

    /** GitHub's user name for a token sent as HTTP basic credentials (any name works; this one says what it is). */
    static final String TOKEN_USER = "x-access-token";
    static final String BUILD_REF = "refs/miaobu/build";
    /** Seconds a network read may stall before JGit gives up; a cancel cannot interrupt a blocked socket read. */
    static final int NETWORK_TIMEOUT_SECONDS = 120;

    private final String url;
    private final RepositoryName name;
    private final CredentialsProvider credentials;

    GitHubCheckout(String cloneUrl, RepositoryName name, Secret token) {
        this.url = httpsUrl(cloneUrl);
        this.name = name;
        this.credentials = token == null || token.isEmpty()
                ? null : new UsernamePasswordCredentialsProvider(TOKEN_USER, token.reveal());
    }

    /** The branch's tip, asked of the git server itself (the clone host need not be the API's). */
    String remoteTip(String branch) throws InterruptedException {
        Map<String, Ref> heads;
        try {
            heads = Git.lsRemoteRepository()
                    .setRemote(url)
                    .setHeads(true)
                    .setCredentialsProvider(credentials)
                    .setTimeout(NETWORK_TIMEOUT_SECONDS)
                    .callAsMap();
        } catch (GitAPIException | JGitInternalException e) {
            throw translate(e);
        }
        Ref ref = heads.get(Constants.R_HEADS + branch);
        if (ref == null || ref.getObjectId() == null) {
            throw new ExtensionException("Branch " + branch + " does not exist in " + name + ".");
        }
        return ref.getObjectId().name();
    }

    Commit checkout(String sha, Path workspace, TaskLog log) throws InterruptedException {
        requireEmpty(workspace);
        ObjectId wanted = ObjectId.fromString(sha);
        TaskLogProgressMonitor monitor = new TaskLogProgressMonitor(log, Thread.currentThread());
        log.info("Fetching " + name + " at " + sha);
        try (Git git = Git.init().setDirectory(workspace.toFile()).call()) {
            StoredConfig config = git.getRepository().getConfig();
            // v2 lets the server hand out any commit it has ("want <sha>"), not only advertised tips
            config.setInt("protocol", null, "version", 2);
            config.save();
            git.fetch()
                    .setRemote(url)
                    .setRefSpecs(new RefSpec(sha + ":" + BUILD_REF))
                    .setDepth(1)
                    .setTagOpt(TagOpt.NO_TAGS)
                    .setProgressMonitor(monitor)
                    .setCredentialsProvider(credentials)
                    .setTimeout(NETWORK_TIMEOUT_SECONDS)
                    .call();
            stopIfCancelled(monitor);
            if (!git.getRepository().getObjectDatabase().has(wanted)) {
                throw new ExtensionException("Commit " + sha + " was not found in " + name + ".");
            }
            RevCommit commit = checkoutDetached(git.getRepository(), wanted, monitor);
            stopIfCancelled(monitor);
            log.info("Checked out " + commit.name() + " " + commit.getShortMessage());
            PersonIdent author = commit.getAuthorIdent();
            return new Commit(commit.name(), author.getName(), author.getEmailAddress(), commit.getFullMessage(),
                    commit.getCommitterIdent().getWhenAsInstant());
        } catch (GitAPIException | IOException | JGitInternalException e) {
            throw translate(e);
        }
    }

    private static RevCommit checkoutDetached(Repository repo, ObjectId id, TaskLogProgressMonitor monitor)
            throws IOException {
        try (RevWalk walk = new RevWalk(repo)) {
            RevCommit commit = walk.parseCommit(id);
            RefUpdate head = repo.updateRef(Constants.HEAD, true);
            head.setNewObjectId(commit);
            head.setRefLogMessage("checkout: " + commit.name(), false);
            head.forceUpdate();
            DirCache index = repo.lockDirCache();
            DirCacheCheckout checkout = new DirCacheCheckout(repo, index, commit.getTree());
            checkout.setProgressMonitor(monitor);
            checkout.checkout();
            return commit;
        }
    }

    /**
     * A message a user can act on. JGit's own text is never shown: it may quote the URL, and this class cannot vouch
     * for what else. A cancellation becomes an {@link InterruptedException}.
     */
    private ExtensionException translate(Exception e) throws InterruptedException {
        if (Thread.currentThread().isInterrupted() || isCancellation(e)) {
            Thread.interrupted();
            InterruptedException cancelled = new InterruptedException("checkout cancelled");
            cancelled.initCause(e);
            throw cancelled;
        }
        if (e instanceof ExtensionException extension) {
            return extension;
        }
        String text = allMessages(e).toLowerCase(Locale.ROOT);
        String host = URI.create(url).getHost();
        if (has(e, UnknownHostException.class)) {
            return new ExtensionException("The host " + host + " of " + name + " could not be found.", e);
        }
        if (has(e, ConnectException.class) || has(e, NoRouteToHostException.class)
                || has(e, SocketTimeoutException.class)) {
            return new ExtensionException("Could not connect to " + host + " to fetch " + name + "; try again"
                    + " later.", e);
        }
        if (text.contains("not authorized") || text.contains("authentication is required")
                || text.contains("not permitted") || text.matches("(?s).*\\b40[13]\\b.*")) {
            return new ExtensionException(credentials == null
                    ? "GitHub asks for a token to fetch " + name + "; sign in with GitHub and import it again."
                    : "GitHub refused the token for " + name + " (revoked or lacking access); sign in with GitHub"
                    + " again.", e);
        }
        if (has(e, NoRemoteRepositoryException.class) || text.contains("not found")
                || text.contains("does not appear to be a git repository")) {
            return new ExtensionException("Repository " + name + " is gone, or the token cannot see it.", e);
        }
        if (text.contains("want ") || text.contains("not our ref") || text.contains("remote does not have")) {
            return new ExtensionException("Commit is not in " + name + " (it may have been force-pushed away).",
                    e);
        }
        return new ExtensionException("Could not fetch " + name + " (" + rootType(e) + "); try again later.", e);
    }

    private static String httpsUrl(String cloneUrl) {
        try {
            URI uri = new URI(cloneUrl.strip());
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("https") && !scheme.equals("http") || uri.getHost() == null) {
                throw new ExtensionException("Miaobu fetches GitHub repositories over https; use the repository's"
                        + " https clone URL.");
            }
            // user info would reach JGit's config and messages; the token goes through the credentials provider
            return new URI(uri.getScheme(), null, uri.getHost(), uri.getPort(), uri.getPath(), null, null)
                    .toString();
        } catch (URISyntaxException e) {
            throw new ExtensionException("'" + RepositoryName.withoutUserInfo(cloneUrl)
                    + "' is not a valid repository URL.");
        }
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

    private static String rootType(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName();
    }
}
