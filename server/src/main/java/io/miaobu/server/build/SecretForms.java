package io.miaobu.server.build;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The forms a secret can take in a build's output: as it is, base64 (standard and URL-safe, with and without
 * padding), URL-encoded (form and percent style), and JSON-escaped. The build log masks all of them.
 */
final class SecretForms {

    private SecretForms() {
    }

    static Set<String> of(String secret) {
        var forms = new LinkedHashSet<String>();
        forms.add(secret);
        byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
        String base64 = Base64.getEncoder().encodeToString(bytes);
        forms.add(base64);
        forms.add(stripPadding(base64));
        String urlSafe = Base64.getUrlEncoder().encodeToString(bytes);
        forms.add(urlSafe);
        forms.add(stripPadding(urlSafe));
        String formEncoded = URLEncoder.encode(secret, StandardCharsets.UTF_8);
        forms.add(formEncoded);
        forms.add(formEncoded.replace("+", "%20"));
        forms.add(jsonEscaped(secret));
        return forms;
    }

    private static String stripPadding(String base64) {
        int end = base64.length();
        while (end > 0 && base64.charAt(end - 1) == '=') {
            end--;
        }
        return base64.substring(0, end);
    }

    /** As a JSON encoder writes the string's content (without the quotes). */
    static String jsonEscaped(String value) {
        var out = new StringBuilder(value.length() + 8);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '/' -> out.append('/');
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }
}
