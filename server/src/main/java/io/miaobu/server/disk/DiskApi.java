package io.miaobu.server.disk;

import io.miaobu.server.auth.Allow;
import io.miaobu.server.auth.Permission;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** What Miaobu's directories take on disk, and the free space left, for admins. */
@Path("api/v1/admin/disk")
@Produces(MediaType.APPLICATION_JSON)
@Allow(Permission.ADMIN)
public final class DiskApi {

    private final DiskUsage usage;

    public DiskApi(DiskUsage usage) {
        this.usage = usage;
    }

    /** At most a minute old: see {@link DiskUsage#report()}. */
    @GET
    public DiskReport report() {
        return usage.report();
    }
}
