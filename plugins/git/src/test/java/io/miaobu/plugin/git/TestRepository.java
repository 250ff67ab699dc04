package io.miaobu.plugin.git;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;

/** A real repository in a test directory, made with JGit. */
final class TestRepository implements AutoCloseable {

    static final PersonIdent AUTHOR =
            new PersonIdent("Ada Lovelace", "ada@example.test", Instant.parse("2026-11-01T10:15:30Z"), ZoneOffset.UTC);

    private final Git git;
    private final Path dir;

    private TestRepository(Git git, Path dir) {
        this.git = git;
        this.dir = dir;
    }

    static TestRepository create(Path dir) throws Exception {
        return new TestRepository(Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call(), dir);
    }

    Path dir() {
        return dir;
    }

    RevCommit commit(String file, String content, String message) throws Exception {
        Path path = dir.resolve(file);
        Files.createDirectories(path.getParent());
        Files.writeString(path, content);
        git.add().addFilepattern(file).call();
        return git.commit().setMessage(message).setAuthor(AUTHOR).setCommitter(AUTHOR).setSign(false).call();
    }

    void branch(String name) throws Exception {
        git.checkout().setCreateBranch(true).setName(name).call();
    }

    void switchTo(String name) throws Exception {
        git.checkout().setName(name).call();
    }

    @Override
    public void close() throws IOException {
        git.close();
    }
}
