package io.miaobu.plugin.aliyun.oss;

import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The headers a site file is served with, decided when it is published and recorded in the manifest, so the edge
 * routine only copies them.
 */
final class ServingMetadata {

    static final String IMMUTABLE = "public, max-age=31536000, immutable";
    static final String REVALIDATE = "public, max-age=0, must-revalidate";

    /** Precompressed siblings ({@code app.js.br}) the build produced, by file suffix, with their Content-Encoding. */
    static final Map<String, String> PRECOMPRESSED = Map.of(".br", "br", ".gz", "gzip");

    // app.3f9a1c2b.js, chunk-5GAVBWQN.mjs, main-3f9a1c2b4d.css, index.BmT0Xy_8.js (Vite): a segment of 8+ chars
    // mixing digits and letters, or 8+ hex digits, set off by '.', '-' or '_' before the extension
    private static final Pattern HASHED_NAME = Pattern.compile(
            ".*[.\\-_](?=[A-Za-z0-9_-]*[0-9])(?=[A-Za-z0-9_-]*[A-Za-z])[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9]+$"
                    + "|.*[.\\-_][0-9a-f]{8,}\\.[A-Za-z0-9]+$");

    private static final Map<String, String> TYPES = Map.ofEntries(
            Map.entry("html", "text/html; charset=utf-8"),
            Map.entry("htm", "text/html; charset=utf-8"),
            Map.entry("css", "text/css; charset=utf-8"),
            Map.entry("js", "text/javascript; charset=utf-8"),
            Map.entry("mjs", "text/javascript; charset=utf-8"),
            Map.entry("cjs", "text/javascript; charset=utf-8"),
            Map.entry("json", "application/json"),
            Map.entry("map", "application/json"),
            Map.entry("webmanifest", "application/manifest+json"),
            Map.entry("xml", "application/xml"),
            Map.entry("rss", "application/rss+xml"),
            Map.entry("atom", "application/atom+xml"),
            Map.entry("txt", "text/plain; charset=utf-8"),
            Map.entry("md", "text/markdown; charset=utf-8"),
            Map.entry("csv", "text/csv; charset=utf-8"),
            Map.entry("svg", "image/svg+xml"),
            Map.entry("png", "image/png"),
            Map.entry("jpg", "image/jpeg"),
            Map.entry("jpeg", "image/jpeg"),
            Map.entry("gif", "image/gif"),
            Map.entry("webp", "image/webp"),
            Map.entry("avif", "image/avif"),
            Map.entry("ico", "image/x-icon"),
            Map.entry("bmp", "image/bmp"),
            Map.entry("woff", "font/woff"),
            Map.entry("woff2", "font/woff2"),
            Map.entry("ttf", "font/ttf"),
            Map.entry("otf", "font/otf"),
            Map.entry("eot", "application/vnd.ms-fontobject"),
            Map.entry("wasm", "application/wasm"),
            Map.entry("pdf", "application/pdf"),
            Map.entry("zip", "application/zip"),
            Map.entry("mp4", "video/mp4"),
            Map.entry("webm", "video/webm"),
            Map.entry("mp3", "audio/mpeg"),
            Map.entry("ogg", "audio/ogg"),
            Map.entry("wav", "audio/wav"),
            Map.entry("br", "application/x-brotli"),
            Map.entry("gz", "application/gzip"));

    private ServingMetadata() {
    }

    /** The Content-Type for a site path, by extension; {@code application/octet-stream} when unknown. */
    static String contentType(String path) {
        String name = path.substring(path.lastIndexOf('/') + 1);
        int dot = name.lastIndexOf('.');
        if (dot < 0) {
            return "application/octet-stream";
        }
        return TYPES.getOrDefault(name.substring(dot + 1).toLowerCase(Locale.ROOT), "application/octet-stream");
    }

    /**
     * Immutable for fingerprinted assets (the name carries a content hash, so a new version gets a new URL), revalidate
     * for HTML and everything else (its URL stays while its content changes).
     */
    static String cacheControl(String path) {
        String name = path.substring(path.lastIndexOf('/') + 1);
        if (contentType(path).startsWith("text/html")) {
            return REVALIDATE;
        }
        for (String suffix : PRECOMPRESSED.keySet()) {
            if (name.endsWith(suffix)) {
                name = name.substring(0, name.length() - suffix.length());
            }
        }
        return HASHED_NAME.matcher(name).matches() ? IMMUTABLE : REVALIDATE;
    }
}
