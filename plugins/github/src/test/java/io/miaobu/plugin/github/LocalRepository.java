package io.miaobu.plugin.github;

import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;

/** A working repository in a test's temporary directory, to push into the stand-in. */
final class LocalRepository implements AutoCloseable {

    private final Git git;
    private final Path directory;

    private LocalRepository(Git git, Path directory) {
        this.git = git;
        this.directory = directory;
    }

    static LocalRepository create(Path directory) throws Exception {
        return new LocalRepository(Git.init().setDirectory(directory.toFile()).setInitialBranch("main").call(),
                directory);
    }

    RevCommit commit(String file, String content, String message) throws Exception {
        Files.writeString(directory.resolve(file), content);
        git.add().addFilepattern(file).call();
        PersonIdent author = new PersonIdent("Mona Lisa", "mona@example.com");
        return git.commit().setMessage(message).setAuthor(author).setCommitter(author).setSign(false).call();
    }

    void branch(String name) throws Exception {
        git.checkout().setCreateBranch(true).setName(name).call();
    }

    Path directory() {
        return directory;
    }

    @Override
    public void close() {
        git.close();
    }
}
