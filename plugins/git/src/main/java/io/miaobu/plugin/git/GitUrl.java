package io.miaobu.plugin.git;

import io.miaobu.api.ExtensionException;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.eclipse.jgit.transport.URIish;

/**
 * A repository address split into what JGit connects to and what people may see. User info never reaches JGit for
 * http(s): it is moved into the credentials provider, so no transport message, config file or log line can show it.
 */
record GitUrl(String connect, String display, boolean http, boolean ssh, Path localPath, String urlUser,
              String urlPassword) {

    private static final Pattern SCHEME_URL =
            Pattern.compile("(?i)(https?|git|ssh|git\\+ssh|ssh\\+git)://[^/?#\\s]+(/.*)?");
    private static final Pattern SCP_LIKE = Pattern.compile("[A-Za-z0-9._~%+-]+@[A-Za-z0-9.-]+:(?!//).+");
    private static final Pattern FILE_URL = Pattern.compile("(?i)file://(localhost)?/.+");
    private static final Pattern USERINFO_IN_URL = Pattern.compile("(?i)\\b([a-z][a-z0-9+.-]*://)[^/?#\\s@]*@");

    static boolean handles(String url) {
        if (url == null) {
            return false;
        }
        String s = url.strip();
        if (s.isEmpty() || s.chars().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
            return false;
        }
        if (SCHEME_URL.matcher(s).matches() || FILE_URL.matcher(s).matches() || SCP_LIKE.matcher(s).matches()) {
            return true;
        }
        try {
            return s.startsWith("/") && Path.of(s).isAbsolute();
        } catch (InvalidPathException e) {
            return false;
        }
    }

    static GitUrl parse(String url) {
        if (!handles(url)) {
            throw new ExtensionException("'" + withoutUserInfo(url) + "' is not a git URL or an absolute path.");
        }
        String s = url.strip();
        URIish uri;
        try {
            uri = new URIish(s);
        } catch (URISyntaxException e) {
            throw new ExtensionException("'" + withoutUserInfo(s) + "' is not a valid git URL.");
        }
        String display = uri.setUser(null).setPass(null).toString();
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        boolean http = scheme.equals("http") || scheme.equals("https");
        if (scheme.isEmpty() && s.startsWith("/") || scheme.equals("file")) {
            return new GitUrl(s, display, false, false, Path.of(uri.getPath()), null, null);
        }
        boolean ssh = scheme.isEmpty() || scheme.contains("ssh");
        // ssh needs its user name to log in; only a password is taken out of the address
        String connect = http ? uri.setUser(null).setPass(null).toString() : uri.setPass(null).toString();
        return new GitUrl(connect, display, http, ssh, null, uri.getUser(), uri.getPass());
    }

    boolean local() {
        return localPath != null;
    }

    /** Values from the address that must never be shown: a password, and for http(s) a user that may be a token. */
    List<String> secrets() {
        List<String> secrets = new ArrayList<>();
        if (urlPassword != null && !urlPassword.isEmpty()) {
            secrets.add(urlPassword);
        }
        if (http && urlUser != null && !urlUser.isEmpty()) {
            secrets.add(urlUser);
        }
        return secrets;
    }

    /** Removes {@code user:password@} from every URL in {@code text}. */
    static String withoutUserInfo(String text) {
        if (text == null) {
            return "";
        }
        String stripped = USERINFO_IN_URL.matcher(text).replaceAll("$1");
        return SCP_LIKE.matcher(stripped).matches() ? stripped.substring(stripped.indexOf('@') + 1) : stripped;
    }
}
