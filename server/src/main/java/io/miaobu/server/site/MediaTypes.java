package io.miaobu.server.site;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/** Content types and cache policy, decided from a file name once when the file enters the cache. */
final class MediaTypes {

    static final String OCTET_STREAM = "application/octet-stream";

    static final String NO_CACHE = "no-cache";
    static final String REVALIDATE = "public, max-age=0, must-revalidate";
    static final String IMMUTABLE = "public, max-age=31536000, immutable";

    private static final int MIN_HASH_LENGTH = 8;

    private static final Map<String, String> BY_EXTENSION = new HashMap<>();

    static {
        text("html", "text/html");
        text("htm", "text/html");
        text("xhtml", "application/xhtml+xml");
        text("css", "text/css");
        text("js", "text/javascript");
        text("mjs", "text/javascript");
        text("cjs", "text/javascript");
        text("json", "application/json");
        text("map", "application/json");
        text("jsonld", "application/ld+json");
        text("webmanifest", "application/manifest+json");
        text("xml", "application/xml");
        text("rss", "application/rss+xml");
        text("atom", "application/atom+xml");
        text("svg", "image/svg+xml");
        text("txt", "text/plain");
        text("md", "text/markdown");
        text("csv", "text/csv");
        text("ics", "text/calendar");
        text("vtt", "text/vtt");
        text("yaml", "application/yaml");
        text("yml", "application/yaml");
        text("gltf", "model/gltf+json");

        binary("png", "image/png");
        binary("apng", "image/apng");
        binary("jpg", "image/jpeg");
        binary("jpeg", "image/jpeg");
        binary("gif", "image/gif");
        binary("webp", "image/webp");
        binary("avif", "image/avif");
        binary("jxl", "image/jxl");
        binary("bmp", "image/bmp");
        binary("ico", "image/x-icon");
        binary("cur", "image/x-icon");
        binary("tif", "image/tiff");
        binary("tiff", "image/tiff");
        binary("woff", "font/woff");
        binary("woff2", "font/woff2");
        binary("ttf", "font/ttf");
        binary("otf", "font/otf");
        binary("eot", "application/vnd.ms-fontobject");
        binary("wasm", "application/wasm");
        binary("pdf", "application/pdf");
        binary("zip", "application/zip");
        binary("gz", "application/gzip");
        binary("tar", "application/x-tar");
        binary("mp4", "video/mp4");
        binary("m4v", "video/mp4");
        binary("webm", "video/webm");
        binary("ogv", "video/ogg");
        binary("mov", "video/quicktime");
        binary("mp3", "audio/mpeg");
        binary("m4a", "audio/mp4");
        binary("aac", "audio/aac");
        binary("ogg", "audio/ogg");
        binary("oga", "audio/ogg");
        binary("opus", "audio/ogg");
        binary("wav", "audio/wav");
        binary("flac", "audio/flac");
        binary("glb", "model/gltf-binary");
    }

    private MediaTypes() {
    }

    private static void text(String extension, String type) {
        BY_EXTENSION.put(extension, type + "; charset=utf-8");
    }

    private static void binary(String extension, String type) {
        BY_EXTENSION.put(extension, type);
    }

    /** The Content-Type value for a file name; text types carry {@code charset=utf-8}. */
    static String contentType(String fileName) {
        int dot = fileName.lastIndexOf('.');
        if (dot < 0 || dot == fileName.length() - 1) {
            return OCTET_STREAM;
        }
        String type = BY_EXTENSION.get(fileName.substring(dot + 1).toLowerCase(Locale.ROOT));
        return type == null ? OCTET_STREAM : type;
    }

    static boolean isHtml(String contentType) {
        return contentType.startsWith("text/html");
    }

    /** The Cache-Control value for a file served under its own name. */
    static String cacheControl(String fileName, String contentType) {
        if (isHtml(contentType)) {
            return NO_CACHE;
        }
        return hasContentHash(fileName) ? IMMUTABLE : REVALIDATE;
    }

    /**
     * Whether a build tool put a content hash in the name ({@code index-4f3a9c1b.js}, {@code main.3b7e2f9a1c.css},
     * {@code chunk-BxK3c9_d.js}): a dot- or dash-separated segment of at least eight characters that is either
     * hexadecimal with both digits and letters, or base64url with digits, upper and lower case letters. Deliberately
     * conservative: a miss only costs a revalidation, while a false hit (a word like {@code bootstrap}) would pin a
     * mutable file in browsers for a year.
     */
    static boolean hasContentHash(String fileName) {
        int end = fileName.lastIndexOf('.');
        if (end <= 0) {
            return false;
        }
        int start = 0;
        for (int i = 0; i <= end; i++) {
            if (i == end || fileName.charAt(i) == '.' || fileName.charAt(i) == '-') {
                if (i - start >= MIN_HASH_LENGTH && looksLikeHash(fileName, start, i)) {
                    return true;
                }
                start = i + 1;
            }
        }
        return false;
    }

    private static boolean looksLikeHash(String s, int start, int end) {
        boolean digit = false;
        boolean lower = false;
        boolean upper = false;
        boolean hex = true;
        for (int i = start; i < end; i++) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') {
                digit = true;
            } else if (c >= 'a' && c <= 'z') {
                lower = true;
                hex &= c <= 'f';
            } else if (c >= 'A' && c <= 'Z') {
                upper = true;
                hex &= c <= 'F';
            } else if (c == '_') {
                hex = false;
            } else {
                return false;
            }
        }
        boolean hexHash = hex && digit && (lower != upper);
        boolean base64Hash = digit && lower && upper;
        return hexHash || base64Hash;
    }
}
