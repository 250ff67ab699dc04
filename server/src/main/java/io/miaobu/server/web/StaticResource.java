package io.miaobu.server.web;

import io.miaobu.server.auth.Allow;
import io.miaobu.server.auth.Permission;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLConnection;
import java.util.Map;

/** The theme's static assets at {@code /static/<hash>/<path>}; the hash in the URL makes them cacheable for ever. */
@Path("static")
@Allow(Permission.PUBLIC)
public final class StaticResource {

    private static final Map<String, String> TYPES = Map.of(
            "css", "text/css; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "svg", "image/svg+xml",
            "png", "image/png",
            "ico", "image/x-icon",
            "woff2", "font/woff2",
            "json", "application/json");

    private final ThemeManager themes;

    public StaticResource(ThemeManager themes) {
        this.themes = themes;
    }

    @GET
    @Path("{hash}/{path: .+}")
    public Response asset(@PathParam("hash") String hash, @PathParam("path") String path) {
        URL url = themes.staticAsset(path).orElseThrow(() -> UserFacingException.notFound("No such asset."));
        String extension = path.substring(path.lastIndexOf('.') + 1);
        try {
            URLConnection connection = url.openConnection();
            byte[] bytes;
            try (InputStream in = connection.getInputStream()) {
                bytes = in.readAllBytes();
            }
            return Response.ok(bytes)
                    .type(TYPES.getOrDefault(extension, "application/octet-stream"))
                    .header("Cache-Control", "public, max-age=31536000, immutable")
                    .header("X-Content-Type-Options", "nosniff")
                    .build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
