package io.miaobu.server.plugin;

import io.miaobu.api.MiaobuExtension;
import io.miaobu.api.build.BuildRunner;
import io.miaobu.api.build.Builder;
import io.miaobu.api.cdn.CdnProvider;
import io.miaobu.api.cert.CertificateIssuer;
import io.miaobu.api.deploy.DeployTarget;
import io.miaobu.api.dns.DnsProvider;
import io.miaobu.api.identity.IdentityProvider;
import io.miaobu.api.notify.Notifier;
import io.miaobu.api.source.SourceProvider;
import io.miaobu.server.auth.Allow;
import io.miaobu.server.auth.Permission;
import io.miaobu.server.web.Listing;
import io.miaobu.server.web.PageRenderer;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.glassfish.jersey.server.ContainerRequest;

/** The read-only list of installed plugins with their version, state and extensions (admins). */
@Path("")
@Allow(Permission.ADMIN)
public final class PluginsPage {

    static final List<Class<? extends MiaobuExtension>> POINTS = List.of(SourceProvider.class,
            IdentityProvider.class, Builder.class, BuildRunner.class, DeployTarget.class, CdnProvider.class,
            CertificateIssuer.class, DnsProvider.class, Notifier.class);

    private final PluginHost host;
    private final ExtensionRegistry extensions;
    private final PageRenderer pages;

    public PluginsPage(PluginHost host, ExtensionRegistry extensions, PageRenderer pages) {
        this.host = host;
        this.extensions = extensions;
        this.pages = pages;
    }

    @GET
    @Path("plugins")
    @Produces(MediaType.TEXT_HTML)
    public Response page(@Context ContainerRequest request) {
        var rows = new ArrayList<Map<String, Object>>();
        for (PluginView plugin : plugins()) {
            var row = new HashMap<String, Object>();
            row.put("id", plugin.id());
            row.put("version", plugin.version());
            row.put("state", plugin.state());
            row.put("provider", plugin.provider());
            row.put("description", plugin.description());
            row.put("license", plugin.license());
            row.put("error", plugin.error());
            row.put("extensions", plugin.extensions().stream()
                    .map(e -> Map.of("point", e.point(), "id", e.id(), "name", e.name())).toList());
            rows.add(row);
        }
        return pages.render(request, "plugins", Map.of("plugins", rows));
    }

    @GET
    @Path("api/v1/plugins")
    @Produces(MediaType.APPLICATION_JSON)
    public Listing<PluginView> list() {
        return new Listing<>(plugins(), false);
    }

    private List<PluginView> plugins() {
        var byPlugin = new HashMap<String, List<ExtensionView>>();
        for (Class<? extends MiaobuExtension> point : POINTS) {
            for (MiaobuExtension extension : extensions.all(point)) {
                byPlugin.computeIfAbsent(extensions.ownerOf(extension), k -> new ArrayList<>())
                        .add(new ExtensionView(point.getSimpleName(), extension.id(), extension.displayName()));
            }
        }
        return host.plugins().stream()
                .map(p -> new PluginView(p.id(), p.version(), p.state(), p.provider(), p.description(), p.license(),
                        p.error(), byPlugin.getOrDefault(p.id(), List.of())))
                .toList();
    }

    /** A plugin as the API shows it. */
    public record PluginView(String id, String version, String state, String provider, String description,
                             String license, String error, List<ExtensionView> extensions) {
    }

    /** One extension a plugin contributes. */
    public record ExtensionView(String point, String id, String name) {
    }
}
