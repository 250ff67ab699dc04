package io.miaobu.server.deploy;

import java.net.URI;

/**
 * The public URL of each project's site on the built-in site server: {@code <scheme>://<slug>.<sites domain>[:port]/},
 * and of its previews: {@code <scheme>://<label>--<slug>.<sites domain>[:port]/}.
 */
public final class SiteUrls {

    private final String scheme;
    private final String sitesDomain;
    private final String portSuffix;

    public SiteUrls(URI publicUrl, String sitesDomain) {
        this.scheme = publicUrl.getScheme();
        this.sitesDomain = sitesDomain;
        this.portSuffix = publicUrl.getPort() < 0 ? "" : ":" + publicUrl.getPort();
    }

    public String of(String slug) {
        return scheme + "://" + slug + "." + sitesDomain + portSuffix + "/";
    }

    /** A preview's URL: {@code <scheme>://<label>--<slug>.<sites domain>[:port]/}. */
    public String ofPreview(String label, String slug) {
        return of(label + "--" + slug);
    }
}
