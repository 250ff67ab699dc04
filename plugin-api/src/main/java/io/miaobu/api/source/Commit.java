package io.miaobu.api.source;

import java.time.Instant;
import java.util.Objects;

/**
 * The commit a deployment is built from.
 *
 * @param sha         the full 40-hex commit id
 * @param author      the author's name
 * @param authorEmail the author's email, or an empty string
 * @param message     the full commit message
 * @param committedAt when it was committed
 */
public record Commit(String sha, String author, String authorEmail, String message, Instant committedAt) {

    public Commit {
        Objects.requireNonNull(sha, "sha");
        if (!sha.matches("[0-9a-f]{40}([0-9a-f]{24})?")) {
            throw new IllegalArgumentException("not a full commit id: " + sha);
        }
        author = author == null ? "" : author;
        authorEmail = authorEmail == null ? "" : authorEmail;
        message = message == null ? "" : message;
    }

    /** The first line of the message. */
    public String title() {
        int end = message.indexOf('\n');
        return end < 0 ? message : message.substring(0, end);
    }
}
