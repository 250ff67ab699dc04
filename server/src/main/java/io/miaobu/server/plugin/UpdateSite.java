package io.miaobu.server.plugin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.miaobu.server.web.UserFacingException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A catalogue of plugins to install from, at a URL the admin configures ({@code plugins.update-site}: http(s),
 * {@code file:} or a path). The catalogue is JSON; next to it, at the same URL plus {@code .sig}, lies its Ed25519
 * signature (raw, as {@code openssl pkeyutl -sign -rawin} writes it, or base64), checked against the configured public
 * key ({@code plugins.update-site.public-key}) before anything in it is believed. Each release names its zip's URL
 * (relative to the catalogue) and SHA-256, which a download must match.
 */
public final class UpdateSite {

    private static final long MAX_CATALOGUE_BYTES = 4L << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI location;
    private final PublicKey key;
    private final HttpClient http;
    private final long maxZipBytes;

    /**
     * @param location    where the catalogue is; null when none is configured
     * @param key         the Ed25519 key the catalogue must be signed with; null when none is configured
     * @param maxZipBytes the largest plugin zip to download
     */
    public UpdateSite(URI location, PublicKey key, long maxZipBytes) {
        this.location = location;
        this.key = key;
        this.maxZipBytes = maxZipBytes;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NORMAL).build();
    }

    /** {@code plugins.update-site} as a URL: http(s) and {@code file:} URLs as they are, anything else a path. */
    public static URI location(String configured) {
        String value = configured.strip();
        if (value.startsWith("http://") || value.startsWith("https://") || value.startsWith("file:")) {
            return URI.create(value);
        }
        return Path.of(value).toAbsolutePath().normalize().toUri();
    }

    /**
     * An Ed25519 public key: base64 of its X.509 SubjectPublicKeyInfo (what {@code openssl pkey -pubout -outform DER}
     * writes), or the same as PEM.
     *
     * @throws IllegalArgumentException when it is not one
     */
    public static PublicKey publicKey(String configured) {
        String base64 = configured.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        try {
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(
                    Base64.getDecoder().decode(base64)));
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            throw new IllegalArgumentException("not a base64 Ed25519 public key (X.509 SubjectPublicKeyInfo): "
                    + e.getMessage());
        }
    }

    public boolean configured() {
        return location != null;
    }

    public Optional<URI> locationIfConfigured() {
        return Optional.ofNullable(location);
    }

    /** A plugin the catalogue offers, with its releases, newest first. */
    public record Entry(String id, String name, String description, String provider, String license,
                        List<Release> releases) {
    }

    /**
     * One release of a plugin.
     *
     * @param requires     the core versions it runs on ({@code *}: any)
     * @param dependencies the plugins it needs: id → version range
     * @param url          where its zip is, resolved against the catalogue's URL
     */
    public record Release(String id, String version, String requires, Map<String, String> dependencies, URI url,
                          String sha256) {
    }

    /**
     * Fetches the catalogue and checks its signature.
     *
     * @throws UserFacingException 409 when no update site is configured; 502 when it cannot be fetched, is not signed
     *                             by the configured key, or cannot be read
     */
    public List<Entry> catalogue() {
        if (location == null) {
            throw UserFacingException.conflict("No update site is configured. Set plugins.update-site to the URL of"
                    + " a plugin catalogue.");
        }
        if (key == null) {
            throw UserFacingException.conflict("plugins.update-site.public-key is not set, so the catalogue's"
                    + " signature cannot be checked; nothing is installed from it.");
        }
        byte[] catalogue = fetch(location, MAX_CATALOGUE_BYTES, "the catalogue");
        byte[] signature = fetch(URI.create(location + ".sig"), 4096, "the catalogue's signature (" + location
                + ".sig)");
        if (!verifies(catalogue, signature)) {
            throw upstream("update_site_untrusted", "The update site's catalogue is not signed by the configured key"
                    + " (plugins.update-site.public-key); it is not used.");
        }
        return parse(catalogue);
    }

    /**
     * Downloads a release's zip into {@code target} and checks its SHA-256.
     *
     * @throws UserFacingException 502 when the download fails or does not match
     */
    public void download(Release release, Path target) throws IOException {
        byte[] zip = fetch(release.url(), maxZipBytes, "plugin " + release.id() + " " + release.version());
        String actual = sha256(zip);
        if (!actual.equalsIgnoreCase(release.sha256())) {
            throw upstream("update_site_mismatch", "The download of plugin " + release.id() + " "
                    + release.version() + " does not match the SHA-256 the update site lists (expected "
                    + release.sha256() + ", got " + actual + "); it was not installed.");
        }
        Files.write(target, zip);
    }

    private boolean verifies(byte[] content, byte[] signature) {
        byte[] raw = signature;
        if (signature.length != 64) {
            try {
                raw = Base64.getMimeDecoder().decode(new String(signature, StandardCharsets.US_ASCII).strip());
            } catch (IllegalArgumentException e) {
                return false;
            }
        }
        try {
            Signature verifier = Signature.getInstance("Ed25519");
            verifier.initVerify(key);
            verifier.update(content);
            return verifier.verify(raw);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private List<Entry> parse(byte[] catalogue) {
        JsonNode root;
        try {
            root = JSON.readTree(catalogue);
        } catch (IOException e) {
            throw upstream("update_site_invalid", "The update site's catalogue is not JSON: " + e.getMessage());
        }
        if (root == null || !root.path("plugins").isArray()) {
            throw upstream("update_site_invalid", "The update site's catalogue has no \"plugins\" list.");
        }
        var entries = new ArrayList<Entry>();
        for (JsonNode plugin : root.path("plugins")) {
            String id = text(plugin, "id");
            if (!PluginArchive.ID.matcher(id).matches()) {
                throw upstream("update_site_invalid", "The catalogue lists a plugin without a usable id ('" + id
                        + "').");
            }
            var releases = new ArrayList<Release>();
            for (JsonNode release : plugin.path("releases")) {
                String version = text(release, "version");
                String sha = text(release, "sha256");
                String url = text(release, "url");
                if (!PluginVersions.isValid(version) || !sha.matches("[0-9a-fA-F]{64}") || url.isEmpty()) {
                    throw upstream("update_site_invalid", "Release '" + version + "' of " + id + " in the catalogue"
                            + " needs a semantic version, a url and a 64-digit hex sha256.");
                }
                var dependencies = new LinkedHashMap<String, String>();
                release.path("dependencies").properties().forEach(d -> dependencies.put(d.getKey(),
                        d.getValue().asText("*").isBlank() ? "*" : d.getValue().asText()));
                String requires = text(release, "requires");
                releases.add(new Release(id, version, requires.isEmpty() ? "*" : requires, Map.copyOf(dependencies),
                        location.resolve(url), sha.toLowerCase(java.util.Locale.ROOT)));
            }
            releases.sort((a, b) -> PluginVersions.compare(b.version(), a.version()));
            entries.add(new Entry(id, text(plugin, "name").isEmpty() ? id : text(plugin, "name"),
                    text(plugin, "description"), text(plugin, "provider"), text(plugin, "license"),
                    List.copyOf(releases)));
        }
        return List.copyOf(entries);
    }

    private byte[] fetch(URI uri, long limit, String what) {
        try {
            if ("file".equals(uri.getScheme())) {
                Path file = Path.of(uri);
                if (Files.size(file) > limit) {
                    throw upstream("update_site_too_big", "The update site's " + what + " is larger than " + limit
                            + " bytes.");
                }
                return Files.readAllBytes(file);
            }
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
                throw upstream("update_site_unreachable", "The update site's " + what + " is at " + uri
                        + ", which is neither http(s) nor file:.");
            }
            HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(uri)
                    .timeout(Duration.ofSeconds(60)).header("User-Agent", "Miaobu").GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = response.body()) {
                if (response.statusCode() != 200) {
                    throw upstream("update_site_unreachable", "The update site answered " + response.statusCode()
                            + " for " + what + " (" + uri + ").");
                }
                byte[] bytes = body.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
                if (bytes.length > limit) {
                    throw upstream("update_site_too_big", "The update site's " + what + " is larger than " + limit
                            + " bytes.");
                }
                return bytes;
            }
        } catch (java.nio.file.NoSuchFileException e) {
            throw upstream("update_site_unreachable", "The update site has no " + what + " at " + uri + ".");
        } catch (IOException e) {
            throw upstream("update_site_unreachable", "Could not fetch " + what + " from " + uri + ": "
                    + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw upstream("update_site_unreachable", "Interrupted while fetching " + what + ".");
        }
    }

    static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isTextual() ? value.asText().strip() : "";
    }

    private static UserFacingException upstream(String code, String message) {
        return new UserFacingException(502, code, message, null);
    }
}
