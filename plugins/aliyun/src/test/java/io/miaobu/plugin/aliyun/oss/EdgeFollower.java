package io.miaobu.plugin.aliyun.oss;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Serves a site from the bucket exactly as the plugin's edge routine ({@code aliyun/edge-routine.js}) does on the CDN:
 * pointer → manifest → {@code objects/<hash>}, with the manifest's headers, {@code index.html} for directories,
 * {@code 404.html} with status 404, and the single-page-app fallback. Reads anonymously, like the CDN's origin fetch.
 */
final class EdgeFollower {

    record Response(int status, Map<String, String> headers, byte[] body) {
        String text() {
            return new String(body, java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newHttpClient();
    private final URI bucket;
    private final String sitePrefix;

    /** @param sitePrefix {@code <key prefix>/<site>/} */
    EdgeFollower(URI endpoint, String bucketName, String sitePrefix) {
        this.bucket = URI.create(endpoint + "/" + bucketName + "/");
        this.sitePrefix = sitePrefix;
    }

    Response get(String path) throws IOException, InterruptedException {
        return get(path, null, "");
    }

    /** @param previewLabel null for the live deployment */
    Response get(String path, String previewLabel, String acceptEncoding) throws IOException, InterruptedException {
        HttpResponse<byte[]> pointer = fetch(sitePrefix + (previewLabel == null ? "live.json"
                : "previews/" + previewLabel + ".json"));
        if (pointer.statusCode() != 200) {
            return new Response(404, Map.of("Content-Type", "text/plain"), "Site not found".getBytes());
        }
        String manifestKey = JSON.readTree(pointer.body()).get("manifest").asText();
        Manifest manifest = JSON.readValue(fetch(manifestKey).body(), Manifest.class);
        String p = path.endsWith("/") ? path + "index.html" : path;
        Manifest.FileEntry entry = manifest.files().get(p);
        int status = 200;
        if (entry == null && manifest.files().containsKey(p + "/index.html")) {
            return new Response(301, Map.of("Location", p + "/"), new byte[0]);
        }
        if (entry == null && Boolean.TRUE.equals(manifest.spa())) {
            entry = manifest.files().get("/index.html");
        } else if (entry == null && manifest.notFound() != null) {
            entry = manifest.files().get(manifest.notFound());
            status = 404;
        }
        if (entry == null) {
            return new Response(404, Map.of("Content-Type", "text/plain"), "Not found".getBytes());
        }
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", entry.contentType());
        headers.put("Cache-Control", entry.cacheControl());
        String hash = entry.hash();
        if (entry.encodings() != null) {
            headers.put("Vary", "Accept-Encoding");
            for (String encoding : new String[] {"br", "gzip"}) {
                if (entry.encodings().containsKey(encoding) && acceptEncoding.contains(encoding)) {
                    hash = entry.encodings().get(encoding);
                    headers.put("Content-Encoding", encoding);
                    break;
                }
            }
        }
        headers.put("ETag", "\"" + hash + "\"");
        HttpResponse<byte[]> object = fetch(sitePrefix + "objects/" + hash);
        if (object.statusCode() != 200) {
            return new Response(502, Map.of("Content-Type", "text/plain"), ("Missing object " + hash).getBytes());
        }
        return new Response(status, headers, object.body());
    }

    private HttpResponse<byte[]> fetch(String key) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(bucket.resolve(key)).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }
}
