package io.miaobu.server.domain;

import io.miaobu.server.site.CustomDomainLookup;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The active custom domains as the site server sees them: host → what to do. Reads are one map lookup; a project's
 * entries are replaced together when its domains change.
 */
public final class DomainRoutes implements CustomDomainLookup {

    private final Map<String, Route> routes = new ConcurrentHashMap<>();
    private final Map<Long, Set<String>> hostsByProject = new ConcurrentHashMap<>();

    @Override
    public Route route(String host) {
        return routes.get(host);
    }

    /**
     * Replaces everything served for a project with its current domains. Domains a CDN serves are left out: their
     * visitors reach the CDN, never this server.
     */
    synchronized void replace(long projectId, String siteLabel, List<CustomDomain> domains) {
        CustomDomain primary = domains.stream()
                .filter(d -> d.primary() && d.status() == DomainStatus.ACTIVE && !d.onCdn()).findFirst().orElse(null);
        var fresh = new ConcurrentHashMap<String, Route>();
        for (CustomDomain domain : domains) {
            if (domain.status() != DomainStatus.ACTIVE || domain.onCdn()) {
                continue;
            }
            boolean redirect = primary != null && !domain.primary() && domain.redirectToPrimary();
            fresh.put(domain.host(), redirect ? Route.redirect(primary.host()) : Route.serve(siteLabel));
        }
        Set<String> old = hostsByProject.getOrDefault(projectId, Set.of());
        routes.putAll(fresh);
        for (String host : old) {
            if (!fresh.containsKey(host)) {
                routes.remove(host);
            }
        }
        if (fresh.isEmpty()) {
            hostsByProject.remove(projectId);
        } else {
            hostsByProject.put(projectId, Set.copyOf(fresh.keySet()));
        }
    }

    Set<Long> projects() {
        return Set.copyOf(hostsByProject.keySet());
    }

    synchronized void forget(long projectId) {
        Set<String> old = hostsByProject.remove(projectId);
        if (old != null) {
            old.forEach(routes::remove);
        }
    }
}
