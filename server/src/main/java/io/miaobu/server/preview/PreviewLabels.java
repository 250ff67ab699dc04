package io.miaobu.server.preview;

import java.text.Normalizer;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * Host labels of branch previews. A DNS label holds at most 63 characters, and the preview's host label is
 * {@code <label>--<project slug>}, so a branch's label is cut to what the slug leaves. It never holds {@code --}
 * (the separator stays unambiguous) and is never all digits (those are pull requests' labels).
 */
final class PreviewLabels {

    static final int DNS_LABEL_MAX = 63;

    private PreviewLabels() {
    }

    /** The label for a branch, unique among the labels {@code taken} says are in use. */
    static String forBranch(String branch, String projectSlug, Predicate<String> taken) {
        int room = DNS_LABEL_MAX - 2 - projectSlug.length();
        String base = trim(slugOf(branch), room);
        String label = base;
        for (int n = 2; taken.test(label); n++) {
            String suffix = "-" + n;
            label = trim(base, room - suffix.length()) + suffix;
        }
        return label;
    }

    static String slugOf(String branch) {
        String ascii = Normalizer.normalize(branch, Normalizer.Form.NFKD).replaceAll("\\p{M}", "");
        String slug = ascii.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        if (slug.isEmpty()) {
            return "branch";
        }
        return slug.chars().allMatch(Character::isDigit) ? "branch-" + slug : slug;
    }

    private static String trim(String label, int length) {
        String cut = (label.length() <= length ? label : label.substring(0, Math.max(1, length)))
                .replaceAll("-+$", "");
        // a cut can leave only digits ("2024abc" → "2024"): those are pull requests' labels
        return cut.chars().allMatch(Character::isDigit) ? "b" + cut.substring(0, Math.min(cut.length(), length - 1))
                : cut;
    }
}
