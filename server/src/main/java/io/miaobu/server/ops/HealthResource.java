package io.miaobu.server.ops;

import io.miaobu.server.auth.Allow;
import io.miaobu.server.auth.Permission;
import io.miaobu.server.persistence.Database;
import io.miaobu.server.plugin.PluginHost;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;

/** Liveness (the process answers) and readiness (database, storage and plugins usable) for load balancers. */
@Path("health")
@Produces(MediaType.APPLICATION_JSON)
@Allow(Permission.PUBLIC)
public final class HealthResource {

    private final Database database;
    private final PluginHost plugins;
    private final java.nio.file.Path home;

    public HealthResource(Database database, PluginHost plugins, java.nio.file.Path home) {
        this.database = database;
        this.plugins = plugins;
        this.home = home;
    }

    @GET
    @Path("live")
    public Map<String, String> live() {
        return Map.of("status", "UP");
    }

    @GET
    @Path("ready")
    public Response ready() {
        var checks = new LinkedHashMap<String, String>();
        checks.put("database", database.isReachable() ? "UP" : "DOWN");
        checks.put("storage", Files.isWritable(home) ? "UP" : "DOWN");
        boolean pluginsUp = plugins.plugins().stream().allMatch(p -> p.state().equals("STARTED")
                || p.state().equals("DISABLED"));
        checks.put("plugins", pluginsUp ? "UP" : "DEGRADED");
        boolean up = !checks.containsValue("DOWN");
        var body = new LinkedHashMap<String, Object>();
        body.put("status", up ? "UP" : "DOWN");
        body.put("checks", checks);
        return Response.status(up ? 200 : 503).entity(body).build();
    }
}
