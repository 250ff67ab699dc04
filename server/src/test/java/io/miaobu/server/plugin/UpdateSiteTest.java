package io.miaobu.server.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.miaobu.server.web.UserFacingException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The update site's catalogue is believed only when signed by the configured key; downloads must match it. */
class UpdateSiteTest {

    @TempDir
    Path temp;

    private HttpServer http;

    @AfterEach
    void stop() {
        if (http != null) {
            http.stop(0);
        }
    }

    private static KeyPair ed25519() throws Exception {
        return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    }

    private static byte[] sign(byte[] content, KeyPair key) throws Exception {
        Signature signer = Signature.getInstance("Ed25519");
        signer.initSign(key.getPrivate());
        signer.update(content);
        return signer.sign();
    }

    private static String catalogue(String sha) {
        return """
                {"plugins": [{"id": "hello", "name": "Hello", "releases": [
                  {"version": "1.0.0", "url": "hello-1.0.0.zip", "sha256": "%s"},
                  {"version": "1.10.0", "requires": ">=0.1.0", "dependencies": {"base": ">=1.0.0"},
                   "url": "https://cdn.example/hello-1.10.0.zip", "sha256": "%s"}]}]}
                """.formatted(sha, sha);
    }

    @Test
    void readsASignedCatalogueOverHttpAndChecksWhatItDownloads() throws Exception {
        KeyPair key = ed25519();
        byte[] zip = "zip bytes".getBytes(StandardCharsets.UTF_8);
        byte[] json = catalogue(UpdateSite.sha256(zip)).getBytes(StandardCharsets.UTF_8);
        var files = new ConcurrentHashMap<String, byte[]>(Map.of("/site/plugins.json", json,
                "/site/plugins.json.sig", Base64.getEncoder().encode(sign(json, key)),
                "/site/hello-1.0.0.zip", zip));
        http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/", exchange -> {
            byte[] body = files.get(exchange.getRequestURI().getPath());
            exchange.sendResponseHeaders(body == null ? 404 : 200, body == null ? -1 : body.length);
            if (body != null) {
                exchange.getResponseBody().write(body);
            }
            exchange.close();
        });
        http.start();
        URI location = URI.create("http://127.0.0.1:" + http.getAddress().getPort() + "/site/plugins.json");
        var site = new UpdateSite(location, key.getPublic(), 1 << 20);

        var entries = site.catalogue();

        assertThat(entries).singleElement().satisfies(entry -> {
            assertThat(entry.releases()).extracting(UpdateSite.Release::version).as("newest first, by semver")
                    .containsExactly("1.10.0", "1.0.0");
            assertThat(entry.releases().get(0).url()).hasToString("https://cdn.example/hello-1.10.0.zip");
            assertThat(entry.releases().get(1).url()).as("relative to the catalogue")
                    .isEqualTo(location.resolve("hello-1.0.0.zip"));
            assertThat(entry.releases().get(0).dependencies()).containsEntry("base", ">=1.0.0");
        });
        Path target = temp.resolve("download.zip");
        site.download(entries.get(0).releases().get(1), target);
        assertThat(target).hasBinaryContent(zip);

        files.put("/site/hello-1.0.0.zip", "another zip".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> site.download(entries.get(0).releases().get(1), temp.resolve("other.zip")))
                .isInstanceOf(UserFacingException.class)
                .hasMessageContaining("does not match the SHA-256");
        assertThat(temp.resolve("other.zip")).doesNotExist();

        files.remove("/site/plugins.json.sig");
        assertThatThrownBy(site::catalogue).hasMessageContaining("answered 404 for the catalogue's signature");
    }

    @Test
    void refusesACatalogueChangedAfterSigningOrSignedByAnotherKey() throws Exception {
        KeyPair key = ed25519();
        byte[] json = catalogue("a".repeat(64)).getBytes(StandardCharsets.UTF_8);
        Path file = temp.resolve("plugins.json");
        Files.write(file, json);
        Files.write(temp.resolve("plugins.json.sig"), sign(json, key));
        assertThat(new UpdateSite(UpdateSite.location(file.toString()), key.getPublic(), 1 << 20).catalogue())
                .hasSize(1);

        Files.write(file, catalogue("b".repeat(64)).getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> new UpdateSite(file.toUri(), key.getPublic(), 1 << 20).catalogue())
                .isInstanceOf(UserFacingException.class)
                .hasMessageContaining("not signed by the configured key");

        Files.write(file, json);
        assertThatThrownBy(() -> new UpdateSite(file.toUri(), ed25519().getPublic(), 1 << 20).catalogue())
                .hasMessageContaining("not signed by the configured key");
        assertThatThrownBy(() -> new UpdateSite(file.toUri(), null, 1 << 20).catalogue())
                .hasMessageContaining("plugins.update-site.public-key is not set");
        assertThatThrownBy(() -> new UpdateSite(null, key.getPublic(), 1 << 20).catalogue())
                .hasMessageContaining("No update site is configured");
    }

    @Test
    void readsThePublicKeyAsOpensslWritesIt() throws Exception {
        KeyPair key = ed25519();
        String base64 = Base64.getEncoder().encodeToString(key.getPublic().getEncoded());
        String pem = "-----BEGIN PUBLIC KEY-----\n" + base64 + "\n-----END PUBLIC KEY-----\n";

        assertThat(UpdateSite.publicKey(base64)).isEqualTo(key.getPublic());
        assertThat(UpdateSite.publicKey(pem)).isEqualTo(key.getPublic());
        assertThatThrownBy(() -> UpdateSite.publicKey("bm90IGEga2V5"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a base64 Ed25519 public key");
        var rsa = KeyPairGenerator.getInstance("RSA").generateKeyPair();
        assertThatThrownBy(() -> UpdateSite.publicKey(Base64.getEncoder().encodeToString(
                rsa.getPublic().getEncoded()))).isInstanceOf(IllegalArgumentException.class);
    }
}
