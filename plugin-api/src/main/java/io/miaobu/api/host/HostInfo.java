package io.miaobu.api.host;

import java.net.URI;
import java.nio.file.Path;

/**
 * Facts about the Miaobu server an extension runs in. Injected into extension constructors; thread-safe; the values
 * do not change while the server runs.
 */
public interface HostInfo {

    /** The Miaobu version, e.g. {@code 0.1.0}. */
    String version();

    /** The URL users reach Miaobu's pages at, e.g. {@code http://localhost:8080/}. Always ends with {@code /}. */
    URI publicUrl();

    /**
     * The domain below which the built-in site server serves each project, e.g. {@code localhost}: project
     * {@code my-site} is served at {@code my-site.localhost}.
     */
    String sitesDomain();

    /** The port the built-in site server listens on for sites, for composing site URLs. */
    int sitesPort();

    /**
     * The directory where deployments published to local disk live ({@code MIAOBU_HOME/sites}). Only deploy targets
     * that publish to the local disk use it; it exists when the extension is created.
     */
    Path sitesDirectory();

    /**
     * A directory owned by the calling plugin alone, for caches and state that must survive restarts
     * ({@code MIAOBU_HOME/plugin-data/<plugin id>}). It exists when the extension is created.
     */
    Path dataDirectory();
}
