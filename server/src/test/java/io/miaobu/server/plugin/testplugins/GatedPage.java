package io.miaobu.server.plugin.testplugins;

/** The page {@link GatedBuilder} writes; first loaded when a build ends. */
final class GatedPage {

    private GatedPage() {
    }

    static String html(String version) {
        return "<!doctype html><title>gated</title><p>built by gated " + version + "</p>\n";
    }
}
