package io.miaobu.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;

/**
 * A git repository in a temp directory holding a small Node site: {@code npm run build} runs {@code build.js}, which
 * needs no registry packages and writes {@code dist/index.html} from {@code message.txt}.
 */
final class SiteRepository implements AutoCloseable {

    private final Path directory;
    private final Git git;

    SiteRepository(Path directory) throws IOException, GitAPIException {
        this.directory = directory;
        this.git = Git.init().setDirectory(directory.toFile()).setInitialBranch("main").call();
        write("package.json", """
                {
                  "name": "tiny-site",
                  "private": true,
                  "scripts": { "build": "node build.js" }
                }
                """);
        writeBuildScript("""
                const fs = require('fs');
                fs.mkdirSync('dist/assets', { recursive: true });
                const message = fs.readFileSync('message.txt', 'utf8').trim();
                fs.writeFileSync('dist/index.html', '<!doctype html><title>t</title><h1>' + message + '</h1>\\n');
                fs.writeFileSync('dist/assets/app.css', 'h1 { color: teal; }\\n');
                """);
    }

    String commitMessage(String message) throws IOException, GitAPIException {
        write("message.txt", message + "\n");
        return commit("Say " + message);
    }

    void writeBuildScript(String script) throws IOException {
        write("build.js", script);
    }

    void write(String path, String content) throws IOException {
        Path file = directory.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }

    String commit(String message) throws GitAPIException {
        return commit(message, "Ada Tester");
    }

    /** Commits everything as {@code authorName} (git keeps no '<', '>' or line breaks in a name). */
    String commit(String message, String authorName) throws GitAPIException {
        git.add().addFilepattern(".").call();
        RevCommit commit = git.commit().setMessage(message)
                .setAuthor(new PersonIdent(authorName, "ada@example.com"))
                .setCommitter(new PersonIdent("Ada Tester", "ada@example.com"))
                .call();
        return commit.getName();
    }

    /** Switches the working tree to {@code branch}, creating it from the current commit when it does not exist. */
    void checkout(String branch) throws GitAPIException, IOException {
        boolean exists = git.getRepository().findRef("refs/heads/" + branch) != null;
        git.checkout().setName(branch).setCreateBranch(!exists).call();
    }

    Path directory() {
        return directory;
    }

    @Override
    public void close() {
        git.close();
    }
}
