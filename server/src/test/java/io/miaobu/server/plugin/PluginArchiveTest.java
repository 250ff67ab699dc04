package io.miaobu.server.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.miaobu.server.web.UserFacingException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Plugin zips are checked before anything of them is unpacked. */
class PluginArchiveTest {

    private static final byte[] PROPERTIES = "plugin.id=ok\nplugin.version=1.2.0\nplugin.requires=>=0.1.0\n"
            .getBytes(StandardCharsets.UTF_8);
    private static final PluginArchive.Limits LIMITS = new PluginArchive.Limits(10L << 20, 50L << 20, 100, 100);

    @TempDir
    Path temp;

    @Test
    void readsTheDescriptorOfAGoodZipAndUnpacksIt() throws Exception {
        Path zip = TestPluginZip.of("good", "2.1.0").dependencies("base@>=1.0.0 & <2.0.0, extra?")
                .requires(">=0.1.0").writeTo(temp);

        PluginArchive archive = PluginArchive.check(zip, LIMITS);
        archive.unpackTo(temp.resolve("out"));

        assertThat(archive.descriptor().id()).isEqualTo("good");
        assertThat(archive.descriptor().version()).isEqualTo("2.1.0");
        assertThat(archive.descriptor().requires()).isEqualTo(">=0.1.0");
        assertThat(archive.descriptor().dependencies()).extracting(d -> d.getPluginId() + " "
                + d.getPluginVersionSupport() + " " + d.isOptional())
                .containsExactly("base >=1.0.0 & <2.0.0 false", "extra * true");
        assertThat(temp.resolve("out/plugin.properties")).exists();
        assertThat(temp.resolve("out/lib/good-2.1.0.jar")).exists();
    }

    @Test
    void refusesEntriesThatLeaveThePluginsFolder() throws Exception {
        for (String name : new String[] {"../evil.jar", "lib/../../evil.jar", "/etc/evil", "C:/evil"}) {
            Path zip = raw(name, Map.of("plugin.properties", PROPERTIES, name, new byte[] {1}));

            assertThatThrownBy(() -> PluginArchive.check(zip, LIMITS)).as(name)
                    .isInstanceOf(UserFacingException.class)
                    .hasMessageContaining(name);
        }
        assertThat(temp.resolve("evil.jar")).doesNotExist();
    }

    @Test
    void refusesASymbolicLink() throws Exception {
        Path zip = temp.resolve("link.zip");
        try (var out = new ZipArchiveOutputStream(Files.newOutputStream(zip))) {
            put(out, new ZipArchiveEntry("plugin.properties"), PROPERTIES);
            var link = new ZipArchiveEntry("lib/passwd");
            link.setUnixMode(0120777);
            put(out, link, "/etc/passwd".getBytes(StandardCharsets.UTF_8));
        }

        assertThatThrownBy(() -> PluginArchive.check(zip, LIMITS))
                .hasMessageContaining("symbolic link, 'lib/passwd'");
    }

    @Test
    void refusesAZipBombByItsCompressionRatio() throws Exception {
        // 20 MiB of zeros packs into some 20 KiB: a ratio near 1000
        Path zip = temp.resolve("bomb.zip");
        try (OutputStream file = Files.newOutputStream(zip);
             var out = new java.util.zip.ZipOutputStream(file)) {
            out.putNextEntry(new java.util.zip.ZipEntry("plugin.properties"));
            out.write(PROPERTIES);
            out.putNextEntry(new java.util.zip.ZipEntry("lib/zeros.jar"));
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 20; i++) {
                out.write(zeros);
            }
        }
        assertThat(Files.size(zip)).isLessThan(1 << 20);

        assertThatThrownBy(() -> PluginArchive.check(zip, LIMITS))
                .hasMessageContaining("'lib/zeros.jar' unpacks to 20971520 bytes")
                .hasMessageContaining("zip bomb");
    }

    @Test
    void refusesTooManyEntriesTooMuchUnpackedAndTooBigAZip() throws Exception {
        var many = new LinkedHashMap<String, byte[]>();
        many.put("plugin.properties", PROPERTIES);
        for (int i = 0; i < 150; i++) {
            many.put("lib/" + i + ".txt", new byte[] {1});
        }
        assertThatThrownBy(() -> PluginArchive.check(raw("many", many), LIMITS))
                .hasMessageContaining("151 entries; at most 100");

        var small = new PluginArchive.Limits(10L << 20, 1000, 100, 100);
        var random = new byte[2000];
        new java.util.Random(1).nextBytes(random);
        assertThatThrownBy(() -> PluginArchive.check(raw("big", Map.of("plugin.properties", PROPERTIES, "lib/r",
                random)), small)).hasMessageContaining("unpacks to more than 1000 bytes");

        var tiny = new PluginArchive.Limits(100, 1 << 20, 100, 100);
        assertThatThrownBy(() -> PluginArchive.check(raw("r", Map.of("plugin.properties", PROPERTIES, "lib/r",
                random)), tiny)).hasMessageContaining("at most 100 are accepted");
    }

    @Test
    void refusesAZipWithoutAUsableDescriptor() throws Exception {
        assertThatThrownBy(() -> PluginArchive.check(raw("none", Map.of("lib/a.jar", new byte[] {1})), LIMITS))
                .hasMessageContaining("no plugin.properties");
        assertThatThrownBy(() -> PluginArchive.check(raw("noversion", Map.of("plugin.properties",
                "plugin.id=x\n".getBytes(StandardCharsets.UTF_8))), LIMITS))
                .hasMessageContaining("no plugin.version");
        assertThatThrownBy(() -> PluginArchive.check(raw("badid", Map.of("plugin.properties",
                "plugin.id=../x\nplugin.version=1.0.0\n".getBytes(StandardCharsets.UTF_8))), LIMITS))
                .hasMessageContaining("may hold only letters");
        assertThatThrownBy(() -> PluginArchive.check(raw("badversion", Map.of("plugin.properties",
                "plugin.id=x\nplugin.version=one\n".getBytes(StandardCharsets.UTF_8))), LIMITS))
                .hasMessageContaining("not a semantic version");
        Path notZip = Files.writeString(temp.resolve("text.zip"), "hello");
        assertThatThrownBy(() -> PluginArchive.check(notZip, LIMITS)).hasMessageContaining("not a readable zip");
    }

    @Test
    void stopsUnpackingAnEntryThatInflatesToMoreThanItsHeaderSaysAndLeavesNothing() throws Exception {
        Path zip = temp.resolve("liar.zip");
        try (var out = new java.util.zip.ZipOutputStream(Files.newOutputStream(zip))) {
            out.putNextEntry(new java.util.zip.ZipEntry("plugin.properties"));
            out.write(PROPERTIES);
            out.putNextEntry(new java.util.zip.ZipEntry("lib/liar.txt"));
            out.write("a few hundred bytes of text. ".repeat(20).getBytes(StandardCharsets.UTF_8));
        }
        // the central directory now says the entry unpacks to 10 bytes
        byte[] bytes = Files.readAllBytes(zip);
        byte[] name = "lib/liar.txt".getBytes(StandardCharsets.UTF_8);
        int patched = 0;
        for (int i = 0; i + 46 + name.length <= bytes.length; i++) {
            if (bytes[i] == 0x50 && bytes[i + 1] == 0x4b && bytes[i + 2] == 0x01 && bytes[i + 3] == 0x02
                    && java.util.Arrays.equals(bytes, i + 46, i + 46 + name.length, name, 0, name.length)) {
                bytes[i + 24] = 10;
                bytes[i + 25] = 0;
                bytes[i + 26] = 0;
                bytes[i + 27] = 0;
                patched++;
            }
        }
        assertThat(patched).isEqualTo(1);
        Files.write(zip, bytes);
        PluginArchive archive = PluginArchive.check(zip, LIMITS);

        assertThatThrownBy(() -> archive.unpackTo(temp.resolve("out")))
                .isInstanceOf(UserFacingException.class)
                .hasMessageContaining("'lib/liar.txt' unpacks to more than its zip header says");
        assertThat(temp.resolve("out")).doesNotExist();
    }

    private Path raw(String name, Map<String, byte[]> entries) throws Exception {
        Path zip = temp.resolve(name.replaceAll("[^A-Za-z0-9]", "_") + ".zip");
        try (var out = new ZipArchiveOutputStream(Files.newOutputStream(zip))) {
            for (var entry : entries.entrySet()) {
                put(out, new ZipArchiveEntry(entry.getKey()), entry.getValue());
            }
        }
        return zip;
    }

    private static void put(ZipArchiveOutputStream out, ZipArchiveEntry entry, byte[] content) throws Exception {
        out.putArchiveEntry(entry);
        out.write(content);
        out.closeArchiveEntry();
    }
}
