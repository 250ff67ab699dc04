package io.miaobu.plugin.github;

import io.miaobu.api.ExtensionException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A repository's owner and name, read from its clone URL on any host ({@code https://ghe.example/octo/site.git},
 * {@code git@github.com:octo/site.git}), for API calls to {@code /repos/{owner}/{repo}}.
 */
record RepositoryName(String owner, String repo) {

    private static final Pattern PART = Pattern.compile("[A-Za-z0-9_.-]+");
    private static final Pattern SCP_LIKE = Pattern.compile("[A-Za-z0-9._~-]+@[A-Za-z0-9.-]+:(?!//)(.+)");
    private static final Pattern GITHUB_COM =
            Pattern.compile("(?i)https://(www\\.)?github\\.com/[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+?(\\.git)?/?");

    /** Whether {@code url} is an https address of a repository on github.com. */
    static boolean isGitHubComUrl(String url) {
        return url != null && GITHUB_COM.matcher(url.strip()).matches() && parsePath(pathOf(url)) != null;
    }

    static RepositoryName fromUrl(String url) {
        RepositoryName name = parsePath(pathOf(url));
        if (name == null) {
            throw new ExtensionException("'" + withoutUserInfo(url) + "' is not the address of a GitHub repository"
                    + " (https://host/owner/repository).");
        }
        return name;
    }

    /** e.g. {@code octo/site} */
    String fullName() {
        return owner + "/" + repo;
    }

    /** e.g. {@code /repos/octo/site} */
    String apiPath() {
        return "/repos/" + owner + "/" + repo;
    }

    @Override
    public String toString() {
        return fullName();
    }

    private static String pathOf(String url) {
        if (url == null) {
            return null;
        }
        String s = url.strip();
        Matcher scp = SCP_LIKE.matcher(s);
        if (scp.matches()) {
            return "/" + scp.group(1);
        }
        try {
            URI uri = new URI(s);
            return uri.getScheme() == null || uri.getHost() == null ? null : uri.getPath();
        } catch (URISyntaxException e) {
            return null;
        }
    }

    private static RepositoryName parsePath(String path) {
        if (path == null) {
            return null;
        }
        String trimmed = path.replaceAll("^/+|/+$", "");
        if (trimmed.toLowerCase(Locale.ROOT).endsWith(".git")) {
            trimmed = trimmed.substring(0, trimmed.length() - 4);
        }
        String[] parts = trimmed.split("/");
        if (parts.length < 2) {
            return null;
        }
        // GitHub serves repositories at /owner/repo; GHES behind a path prefix has more segments before them
        String owner = parts[parts.length - 2];
        String repo = parts[parts.length - 1];
        if (!PART.matcher(owner).matches() || !PART.matcher(repo).matches() || repo.equals(".") || repo.equals("..")) {
            return null;
        }
        return new RepositoryName(owner, repo);
    }

    static String withoutUserInfo(String url) {
        return url == null ? "" : url.replaceAll("(?i)\\b([a-z][a-z0-9+.-]*://)[^/?#\\s@]*@", "$1");
    }
}
