package io.miaobu.server.secrets;

import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks secrets in log lines: every value {@link #register registered} by the code that handles it (a plugin setting,
 * a project variable, an OAuth token once opened), and anything shaped like a credential — Miaobu API and refresh
 * tokens, JWTs, {@code Bearer} values, passwords in URLs, {@code password=…}/{@code "secret":"…"} pairs.
 *
 * <p>This registry is the server's one deliberate global. Logback builds {@link RedactingLayout} from
 * {@code logback.xml} before the composition root runs, so the layout cannot be handed an instance; registration and
 * redaction therefore go through static methods. Nothing else should follow this example.
 *
 * <p>Thread-safe; {@link #redact} is called on every logging thread for every line and costs one pass over the line
 * for the registered values, however many, plus a regular expression only for the shapes whose marker the line
 * contains. At most {@value #CAPACITY} values are kept; beyond that the oldest registered is forgotten. Nothing
 * thrown.
 */
public final class SecretRedactor {

    /** What a secret is replaced with. */
    public static final String MASK = "****";

    static final int CAPACITY = 10_000;

    private static final RegisteredSecrets REGISTERED = new RegisteredSecrets(CAPACITY);
    private static final String SECRET_KEY = "(password|passwd|secret|token|api[_-]?key)";
    private static final List<Rule> RULES = List.of(
            new Rule(text -> text.contains("mbt_") || text.contains("mbr_"),
                    Pattern.compile("(mb[tr]_)[A-Za-z0-9_-]{20,}"), match -> match.group(1) + MASK),
            new Rule(text -> text.contains("eyJ"),
                    Pattern.compile("eyJ[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*"), match -> MASK),
            new Rule(text -> containsIgnoreCase(text, "bearer"),
                    Pattern.compile("(?i)\\b(bearer\\s+)[A-Za-z0-9._~+/=-]+"), match -> match.group(1) + MASK),
            new Rule(text -> text.contains("://") && text.indexOf('@') >= 0,
                    // the look-behind starts a scheme only at the start of a word: no rescanning long words
                    Pattern.compile("(?<![A-Za-z0-9+.-])([A-Za-z][A-Za-z0-9+.-]*://[^\\s/?#@:]*):[^\\s/?#]*@"),
                    match -> match.group(1) + ":" + MASK + "@"),
            // "key": "value", the value up to its closing quote
            new Rule(SecretRedactor::mentionsSecretKey,
                    Pattern.compile("(?i)" + SECRET_KEY + "(\"\\s*:\\s*\")(?:[^\"\\\\]|\\\\.)++\""),
                    match -> match.group(1) + match.group(2) + MASK + "\""),
            // key=value up to whitespace, &, comma or quote; key="value" or key='value' up to the closing quote
            new Rule(SecretRedactor::mentionsSecretKey,
                    Pattern.compile("(?i)" + SECRET_KEY
                            + "(\\s*=\\s*)(?:(\")[^\"]*+\"|(')[^']*+'|([\"']?)[^\\s&,\"']+)"),
                    match -> match.group(1) + match.group(2) + quoted(match, MASK)));

    private SecretRedactor() {
    }

    /**
     * Masks {@code secretValue} in every line logged from now on. Values shorter than
     * {@value RegisteredSecrets#MIN_LENGTH} characters are ignored: masking them would garble ordinary text.
     */
    public static void register(String secretValue) {
        REGISTERED.add(secretValue);
    }

    /** {@code text} with registered values and credential-shaped strings replaced by {@link #MASK}; null stays null. */
    public static String redact(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String redacted = REGISTERED.replaceIn(text, MASK);
        for (Rule rule : RULES) {
            if (rule.applies().test(redacted)) {
                redacted = rule.pattern().matcher(redacted)
                        .replaceAll(match -> Matcher.quoteReplacement(rule.replacement().apply(match)));
            }
        }
        return redacted;
    }

    private static String quoted(MatchResult match, String mask) {
        if (match.group(3) != null) {
            return "\"" + mask + "\"";
        }
        if (match.group(4) != null) {
            return "'" + mask + "'";
        }
        return match.group(5) + mask;
    }

    private static boolean mentionsSecretKey(String text) {
        return (text.indexOf('=') >= 0 || text.indexOf(':') >= 0)
                && (containsIgnoreCase(text, "passw") || containsIgnoreCase(text, "secret")
                        || containsIgnoreCase(text, "token") || containsIgnoreCase(text, "api"));
    }

    /** {@code lowerCaseWord} in {@code text}, in any case, without copying the text. */
    static boolean containsIgnoreCase(String text, String lowerCaseWord) {
        char lower = lowerCaseWord.charAt(0);
        char upper = Character.toUpperCase(lower);
        int last = text.length() - lowerCaseWord.length();
        for (int i = 0; i <= last; i++) {
            char c = text.charAt(i);
            if ((c == lower || c == upper) && text.regionMatches(true, i, lowerCaseWord, 0, lowerCaseWord.length())) {
                return true;
            }
        }
        return false;
    }

    /** A credential shape: the regular expression runs only on text that passes the cheap test. */
    private record Rule(Predicate<String> applies, Pattern pattern, Function<MatchResult, String> replacement) {
    }
}
