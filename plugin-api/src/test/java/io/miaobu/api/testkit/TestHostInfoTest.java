package io.miaobu.api.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestHostInfoTest {

    @TempDir
    Path home;

    @Test
    void laysOutItsHomeLikeMiaobuHome() {
        var host = new TestHostInfo(home);

        assertThat(host.sitesDirectory()).isEqualTo(home.resolve("sites")).isDirectory();
        assertThat(host.dataDirectory()).isEqualTo(home.resolve("plugin-data/test-plugin")).isDirectory();
        assertThat(host.publicUrl()).isEqualTo(URI.create("http://localhost:8080/"));
        assertThat(host.version()).isEqualTo("0.1.0");
        assertThat(host.sitesDomain()).isEqualTo("localhost");
        assertThat(host.sitesPort()).isEqualTo(8080);
    }

    @Test
    void givesEachPluginItsOwnDataDirectory() {
        var host = new TestHostInfo(home, "notify-log", "0.2.0", URI.create("https://ci.example/"), "example.test",
                443);

        assertThat(host.dataDirectory()).isEqualTo(home.resolve("plugin-data/notify-log")).isDirectory();
    }

    @Test
    void refusesAPublicUrlWithoutTrailingSlash() {
        assertThatThrownBy(() -> new TestHostInfo(home, "p", "0.1.0", URI.create("http://localhost:8080"), "localhost",
                8080)).isInstanceOf(IllegalArgumentException.class);
    }
}
