package io.miaobu.server.plugin;

import io.miaobu.server.plugin.testplugins.GatedBuilder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Builds a PF4J plugin zip in a test, as the bundled plugins are laid out: {@code plugin.properties} at the root and
 * one jar in {@code lib/} holding the test plugin classes ({@code io.miaobu.server.plugin.testplugins}), a
 * {@code META-INF/extensions.idx} naming the extensions, and {@code miaobu-test-plugin.properties} with the settings
 * the classes read (each version's own).
 */
public final class TestPluginZip {

    private final String id;
    private final String version;
    private final Map<String, String> descriptor = new LinkedHashMap<>();
    private final Map<String, String> settings = new LinkedHashMap<>();
    private final List<Class<?>> extensions = new ArrayList<>();

    private TestPluginZip(String id, String version) {
        this.id = id;
        this.version = version;
        descriptor.put("plugin.id", id);
        descriptor.put("plugin.version", version);
        descriptor.put("plugin.provider", "Miaobu tests");
        descriptor.put("plugin.description", "Test plugin " + id);
        descriptor.put("plugin.license", "MIT");
        settings.put("version", version);
    }

    public static TestPluginZip of(String id, String version) {
        return new TestPluginZip(id, version);
    }

    public TestPluginZip extension(Class<?> type) {
        extensions.add(type);
        return this;
    }

    /** A {@code plugin.properties} entry ({@code plugin.requires}, {@code plugin.dependencies}, …). */
    public TestPluginZip descriptor(String key, String value) {
        descriptor.put(key, value);
        return this;
    }

    public TestPluginZip requires(String range) {
        return descriptor("plugin.requires", range);
    }

    public TestPluginZip dependencies(String dependencies) {
        return descriptor("plugin.dependencies", dependencies);
    }

    public TestPluginZip pluginClass(Class<?> type) {
        return descriptor("plugin.class", type.getName());
    }

    /** A value the plugin's classes read (e.g. {@code gate}, the directory of its file gates). */
    public TestPluginZip setting(String key, String value) {
        settings.put(key, value);
        return this;
    }

    /** Writes {@code <directory>/<id>-<version>.zip}. */
    public Path writeTo(Path directory) {
        try {
            Files.createDirectories(directory);
            Path zip = directory.resolve(id + "-" + version + ".zip");
            Files.write(zip, bytes());
            return zip;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public byte[] bytes() throws IOException {
        var out = new ByteArrayOutputStream();
        try (var zip = new ZipOutputStream(out)) {
            zip.putNextEntry(new ZipEntry("plugin.properties"));
            zip.write(properties(descriptor).getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
            zip.putNextEntry(new ZipEntry("lib/"));
            zip.closeEntry();
            zip.putNextEntry(new ZipEntry("lib/" + id + "-" + version + ".jar"));
            zip.write(jar());
            zip.closeEntry();
        }
        return out.toByteArray();
    }

    private byte[] jar() throws IOException {
        var out = new ByteArrayOutputStream();
        try (var jar = new ZipOutputStream(out)) {
            Path classes = classesDirectory();
            String packagePath = GatedBuilder.class.getPackageName().replace('.', '/');
            try (DirectoryStream<Path> files = Files.newDirectoryStream(classes, "*.class")) {
                for (Path file : files) {
                    jar.putNextEntry(new ZipEntry(packagePath + "/" + file.getFileName()));
                    jar.write(Files.readAllBytes(file));
                    jar.closeEntry();
                }
            }
            jar.putNextEntry(new ZipEntry("META-INF/extensions.idx"));
            var index = new StringBuilder();
            extensions.forEach(type -> index.append(type.getName()).append('\n'));
            jar.write(index.toString().getBytes(StandardCharsets.UTF_8));
            jar.closeEntry();
            jar.putNextEntry(new ZipEntry("miaobu-test-plugin.properties"));
            jar.write(properties(settings).getBytes(StandardCharsets.UTF_8));
            jar.closeEntry();
        }
        return out.toByteArray();
    }

    private static Path classesDirectory() {
        try {
            return Path.of(GatedBuilder.class.getResource("GatedBuilder.class").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String properties(Map<String, String> values) throws IOException {
        var properties = new Properties();
        properties.putAll(values);
        var text = new StringWriter();
        properties.store(text, null);
        return text.toString();
    }

    /** Writes raw entries (name → content) into a zip, for archives that must be refused. */
    public static void writeRaw(OutputStream out, Map<String, byte[]> entries) throws IOException {
        try (var zip = new ZipOutputStream(out)) {
            for (var entry : entries.entrySet()) {
                zip.putNextEntry(new ZipEntry(entry.getKey()));
                zip.write(entry.getValue());
                zip.closeEntry();
            }
        }
    }
}
