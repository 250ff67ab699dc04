package io.miaobu.server.site;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class MediaTypesTest {

    @ParameterizedTest
    @ValueSource(strings = {"index-4f3a9c1b.js", "main.3b7e2f9a1c.css", "chunk-BxK3c9_d.js", "app.8F3A2B1C.js",
            "4f3a9c1b.chunk.js", "vendor~main.1a2b3c4d5e6f7a8b.js", "_app-6d0a2c1b5b7bb3a9.js",
            "roboto-latin-400-Xk9fQ2aZ1.woff2"})
    void recognisesContentHashesInNames(String name) {
        assertThat(MediaTypes.hasContentHash(name)).isTrue();
        assertThat(MediaTypes.cacheControl(name, MediaTypes.contentType(name))).isEqualTo(MediaTypes.IMMUTABLE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"bootstrap.min.css", "main.bootstrap.css", "font-awesome4.css", "jquery-3.7.1.min.js",
            "app.js", "favicon.ico", "deadbeef.js", "build.20240101.js", "DOMServer.js", "react-DOMServer.js",
            "index-4f3a9c1b.html", "robots.txt", "noextension"})
    void leavesOrdinaryNamesRevalidating(String name) {
        assertThat(MediaTypes.cacheControl(name, MediaTypes.contentType(name))).isNotEqualTo(MediaTypes.IMMUTABLE);
    }

    @ParameterizedTest
    @CsvSource({
            "index.html, text/html; charset=utf-8",
            "STYLE.CSS, text/css; charset=utf-8",
            "app.mjs, text/javascript; charset=utf-8",
            "app.js.map, application/json; charset=utf-8",
            "photo.JPEG, image/jpeg",
            "photo.avif, image/avif",
            "icon.ico, image/x-icon",
            "font.otf, font/otf",
            "clip.mp4, video/mp4",
            "song.mp3, audio/mpeg",
            "doc.pdf, application/pdf",
            "archive.tar.gz, application/gzip",
            "Makefile, application/octet-stream",
            "trailing., application/octet-stream",
            "data.bin, application/octet-stream"})
    void mapsExtensionsToContentTypes(String name, String type) {
        assertThat(MediaTypes.contentType(name)).isEqualTo(type);
    }

    @ParameterizedTest
    @CsvSource({"page.html, no-cache", "logo.svg, 'public, max-age=0, must-revalidate'"})
    void htmlIsNeverCachedWithoutRevalidation(String name, String cacheControl) {
        assertThat(MediaTypes.cacheControl(name, MediaTypes.contentType(name))).isEqualTo(cacheControl);
    }
}
