package io.miaobu.server.deploy;

import io.miaobu.server.site.ServedSite;
import io.miaobu.server.site.SiteLookup;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which directory the built-in site server serves for each site label. Replacing an entry is one atomic map write,
 * so a visitor gets either the old deployment or the new one. Only deployments whose location is a {@code file:} URI
 * (local storage) are served here.
 */
public final class LiveSites implements SiteLookup {

    private final Map<String, ServedSite> sites = new ConcurrentHashMap<>();

    @Override
    public Optional<ServedSite> find(String label) {
        return Optional.ofNullable(sites.get(label));
    }

    public void put(String label, String location, boolean spaFallback) {
        URI uri = location == null ? null : URI.create(location);
        if (uri == null || !"file".equals(uri.getScheme())) {
            sites.remove(label);
            return;
        }
        sites.put(label, new ServedSite(Path.of(uri), spaFallback));
    }

    public void setSpaFallback(String label, boolean spaFallback) {
        sites.computeIfPresent(label, (key, site) -> new ServedSite(site.root(), spaFallback));
    }

    public void remove(String label) {
        sites.remove(label);
    }
}
