package io.miaobu.plugin.github;

import io.miaobu.api.source.CommitStatus;
import io.miaobu.api.source.PreviewComment;
import java.net.URI;

/** The Markdown of the one comment per pull request and project that shows its preview. */
final class PreviewCommentBody {

    private PreviewCommentBody() {
    }

    /** The HTML comment that identifies the comment; GitHub does not show it. */
    static String markerOf(String marker) {
        // "--" would end the HTML comment early and show the rest on the page
        return "<!-- " + marker.replace("--", "- -").replace(">", "") + " -->";
    }

    static String render(PreviewComment comment) {
        String sha = comment.commitSha() == null ? "" : comment.commitSha();
        String shortSha = sha.length() > 7 ? sha.substring(0, 7) : sha;
        return markerOf(comment.marker()) + "\n"
                + "**Miaobu preview**\n\n"
                + "| Project | State | Preview | Commit | Log |\n"
                + "|---|---|---|---|---|\n"
                + "| " + cell(comment.projectName()) + " | " + state(comment.state()) + " | "
                + link(comment.previewUrl(), comment.previewUrl() == null ? "" : comment.previewUrl().toString())
                + " | " + (shortSha.isEmpty() ? "" : "`" + shortSha + "`") + " | " + link(comment.logUrl(), "log")
                + " |\n";
    }

    private static String state(CommitStatus.State state) {
        return switch (state) {
            case PENDING -> "⏳ Building";
            case SUCCESS -> "✅ Ready";
            case FAILURE -> "❌ Failed";
            case ERROR -> "⚠️ Error";
        };
    }

    private static String link(URI uri, String text) {
        return uri == null ? "—" : "[" + cell(text) + "](" + uri.toString().replace(")", "%29") + ")";
    }

    private static String cell(String text) {
        return text == null ? "" : text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")
                .replace("[", "\\[").replace("]", "\\]");
    }
}
