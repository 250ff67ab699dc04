package io.miaobu.plugin.git;

import io.miaobu.api.ExtensionException;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import org.eclipse.jgit.api.FetchCommand;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.api.errors.TransportException;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheCheckout;
import org.eclipse.jgit.errors.IncorrectObjectTypeException;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.errors.PackProtocolException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ProgressMonitor;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.TagOpt;

/**
 * One branch of one remote fetched into a build's workspace, as shallow as the requested commit allows. The remote is
 * passed by URL on every fetch and never written into {@code .git/config}, so the build cannot read it back.
 */
final class ShallowClone implements AutoCloseable {

    /** Seconds a network read may stall before JGit gives up; a cancel cannot interrupt a blocked socket read. */
    static final int NETWORK_TIMEOUT_SECONDS = 120;

    private final Path workspace;
    private final GitUrl url;
    private final String branch;
    private final CredentialsProvider credentials;
    private final ProgressMonitor monitor;
    private Git git;

    private ShallowClone(Path workspace, GitUrl url, String branch, CredentialsProvider credentials,
                         ProgressMonitor monitor) throws GitAPIException, IOException {
        this.workspace = workspace;
        this.url = url;
        this.branch = branch;
        this.credentials = credentials;
        this.monitor = monitor;
        this.git = init();
    }

    static ShallowClone init(Path workspace, GitUrl url, String branch, CredentialsProvider credentials,
                             ProgressMonitor monitor) throws GitAPIException, IOException {
        return new ShallowClone(workspace, url, branch, credentials, monitor);
    }

    private Git init() throws GitAPIException, IOException {
        Git created = Git.init().setDirectory(workspace.toFile()).setInitialBranch(branch).call();
        StoredConfig config = created.getRepository().getConfig();
        // protocol v2 handles deepening a shallow history; JGit's v0 client does not always (see deepen)
        config.setInt("protocol", null, "version", 2);
        config.save();
        return created;
    }

    /** Fetches the branch with {@code depth} commits of history (0: all of it) and returns its tip. */
    ObjectId fetch(int depth) throws GitAPIException, IOException {
        String tracking = Constants.R_REMOTES + "origin/" + branch;
        FetchCommand fetch = git.fetch()
                .setRemote(url.connect())
                .setRefSpecs(new RefSpec("+" + Constants.R_HEADS + branch + ":" + tracking))
                .setTagOpt(TagOpt.NO_TAGS)
                .setProgressMonitor(monitor)
                .setCredentialsProvider(credentials)
                .setTimeout(NETWORK_TIMEOUT_SECONDS);
        if (depth > 0) {
            fetch.setDepth(depth);
        } else if (isShallow()) {
            fetch.setUnshallow(true);
        }
        fetch.call();
        Ref ref = git.getRepository().exactRef(tracking);
        if (ref == null || ref.getObjectId() == null) {
            throw new ExtensionException("Branch " + branch + " was not found in " + url.display() + ".");
        }
        return ref.getObjectId();
    }

    /**
     * Fetches more history into the shallow clone. JGit's protocol v0 client misreads the server's "unshallow" lines
     * (seen with git-daemon and with JGit's own file transport, which always speaks v0); when that happens the branch
     * is fetched again into a fresh repository at the new depth, where there is nothing to unshallow.
     */
    ObjectId deepen(int depth) throws GitAPIException, IOException {
        try {
            return fetch(depth);
        } catch (TransportException e) {
            if (!causedBy(e, PackProtocolException.class) || monitor.isCancelled()) {
                throw e;
            }
            git.close();
            deleteRecursively(workspace.resolve(Constants.DOT_GIT));
            git = init();
            return fetch(depth);
        }
    }

    boolean has(ObjectId id) throws IOException {
        return git.getRepository().getObjectDatabase().has(id);
    }

    boolean isShallow() throws IOException {
        return !git.getRepository().getObjectDatabase().getShallowCommits().isEmpty();
    }

    /** Whether {@code commit} is {@code tip} or one of its ancestors in the history fetched so far. */
    boolean isReachable(ObjectId commit, ObjectId tip) throws IOException {
        if (!has(commit)) {
            return false;
        }
        try (RevWalk walk = new RevWalk(git.getRepository())) {
            return walk.isMergedInto(walk.parseCommit(commit), walk.parseCommit(tip));
        } catch (MissingObjectException | IncorrectObjectTypeException e) {
            return false;
        }
    }

    /** What {@code git clone} does in a fresh repository: point the branch at the commit and write its tree. */
    RevCommit checkout(ObjectId id) throws IOException {
        Repository repo = git.getRepository();
        try (RevWalk walk = new RevWalk(repo)) {
            RevCommit commit = walk.parseCommit(id);
            RefUpdate update = repo.updateRef(Constants.R_HEADS + branch);
            update.setNewObjectId(commit);
            update.setRefLogMessage("checkout: " + commit.name(), false);
            update.forceUpdate();
            DirCache index = repo.lockDirCache();
            DirCacheCheckout checkout = new DirCacheCheckout(repo, index, commit.getTree());
            checkout.setProgressMonitor(monitor);
            checkout.checkout();
            return commit;
        }
    }

    @Override
    public void close() {
        git.close();
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
