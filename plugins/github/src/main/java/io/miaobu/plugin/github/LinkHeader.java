package io.miaobu.plugin.github;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GitHub's pagination header (RFC 8288), e.g.
 * {@code <https://api.github.com/user/repos?page=2>; rel="next", <https://api.github.com/user/repos?page=5>; rel="last"}.
 *
 * @param links the target of each relation
 */
record LinkHeader(Map<String, URI> links) {

    private static final Pattern LINK = Pattern.compile("<([^>]*)>((?:\\s*;\\s*[^;,]+)*)");
    private static final Pattern REL = Pattern.compile("(?i)rel\\s*=\\s*\"?([^\";]+)\"?");

    static LinkHeader parse(String header) {
        Map<String, URI> links = new LinkedHashMap<>();
        if (header != null) {
            Matcher link = LINK.matcher(header);
            while (link.find()) {
                Matcher rel = REL.matcher(link.group(2));
                if (!rel.find()) {
                    continue;
                }
                URI target;
                try {
                    target = URI.create(link.group(1).strip());
                } catch (IllegalArgumentException e) {
                    continue;
                }
                // rel may name several relations: rel="next last"
                for (String name : rel.group(1).strip().split("\\s+")) {
                    links.putIfAbsent(name, target);
                }
            }
        }
        return new LinkHeader(Map.copyOf(links));
    }

    Optional<URI> next() {
        return Optional.ofNullable(links.get("next"));
    }
}
