package io.miaobu.api.testkit;

import io.miaobu.api.host.HostInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A {@link HostInfo} over a directory of the test's own (typically a JUnit {@code @TempDir}), laid out like
 * {@code MIAOBU_HOME}: {@code <home>/sites} and {@code <home>/plugin-data/<plugin id>}, both created by the constructor.
 *
 * <pre>{@code
 * HostInfo host = new TestHostInfo(tempDir);                        // defaults below
 * HostInfo custom = new TestHostInfo(tempDir, "my-plugin", "0.2.0", URI.create("https://ci.example/"), "example.test", 8443);
 * }</pre>
 *
 * @param home          the directory standing in for {@code MIAOBU_HOME}
 * @param pluginId      names {@link #dataDirectory()}; {@code test-plugin} by default
 * @param version       {@code 0.1.0} by default
 * @param publicUrl     {@code http://localhost:8080/} by default; must end with {@code /}
 * @param sitesDomain   {@code localhost} by default
 * @param sitesPort     {@code 8080} by default
 */
public record TestHostInfo(Path home, String pluginId, String version, URI publicUrl, String sitesDomain,
                           int sitesPort) implements HostInfo {

    /** Validates the values and creates {@code sites/} and {@code plugin-data/<pluginId>/} below {@code home}. */
    public TestHostInfo {
        Objects.requireNonNull(home, "home");
        Objects.requireNonNull(pluginId, "pluginId");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(sitesDomain, "sitesDomain");
        if (!publicUrl.toString().endsWith("/")) {
            throw new IllegalArgumentException("publicUrl must end with /: " + publicUrl);
        }
        try {
            Files.createDirectories(home.resolve("sites"));
            Files.createDirectories(home.resolve("plugin-data").resolve(pluginId));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A host over {@code home} with the default values. */
    public TestHostInfo(Path home) {
        this(home, "test-plugin", "0.1.0", URI.create("http://localhost:8080/"), "localhost", 8080);
    }

    /** {@code <home>/sites}. */
    @Override
    public Path sitesDirectory() {
        return home.resolve("sites");
    }

    /** {@code <home>/plugin-data/<pluginId>}. */
    @Override
    public Path dataDirectory() {
        return home.resolve("plugin-data").resolve(pluginId);
    }
}
