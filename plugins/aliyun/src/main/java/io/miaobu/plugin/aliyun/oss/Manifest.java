package io.miaobu.plugin.aliyun.oss;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * One deployment: every site path with the content it serves and the headers it is served with. Stored as
 * {@code deployments/<key>.json}; the edge routine reads it, so its shape is versioned by {@code schema}.
 *
 * @param files    by site path ({@code /docs/index.html})
 * @param spa      whether unknown paths serve {@code /index.html} (single-page app); null when not
 * @param notFound the page served with status 404 for unknown paths ({@code /404.html}), or null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
record Manifest(int schema, String deployment, Map<String, FileEntry> files, Boolean spa, String notFound) {

    static final int SCHEMA = 1;

    Manifest {
        files = new TreeMap<>(files);
    }

    /**
     * @param hash         SHA-256 of the content: the object {@code objects/<hash>}
     * @param encodings    precompressed variants the build produced, by Content-Encoding ({@code br}, {@code gzip}),
     *                     each the hash of its object; null when none
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    record FileEntry(String hash, long size, String contentType, String cacheControl,
                     Map<String, String> encodings) {
    }

    /** Every object this deployment uses. */
    Set<String> hashes() {
        Set<String> hashes = new HashSet<>();
        for (FileEntry entry : files.values()) {
            hashes.add(entry.hash());
            if (entry.encodings() != null) {
                hashes.addAll(entry.encodings().values());
            }
        }
        return hashes;
    }

    /**
     * Site paths whose response differs from {@code before}'s: added, removed, other content or headers; a directory's
     * URL ({@code /docs/}) with its {@code index.html}.
     */
    Set<String> pathsChangedSince(Manifest before) {
        Set<String> all = new HashSet<>(files.keySet());
        all.addAll(before.files.keySet());
        Set<String> changed = new HashSet<>();
        for (String path : all) {
            if (!Objects.equals(files.get(path), before.files.get(path))) {
                changed.add(path);
                if (path.endsWith("/index.html")) {
                    changed.add(path.substring(0, path.length() - "index.html".length()));
                }
            }
        }
        return changed;
    }
}
