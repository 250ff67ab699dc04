package io.miaobu.server.disk;

import io.miaobu.server.auth.Allow;
import io.miaobu.server.auth.Permission;
import io.miaobu.server.boot.RetentionConfig;
import io.miaobu.server.web.Formats;
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

/** The disk usage page for admins: each of Miaobu's directories, the cache's parts, and the free space. */
@Path("admin/disk")
@Produces(MediaType.TEXT_HTML)
@Allow(Permission.ADMIN)
public final class DiskPage {

    private final DiskUsage usage;
    private final RetentionConfig retention;
    private final PageRenderer pages;

    public DiskPage(DiskUsage usage, RetentionConfig retention, PageRenderer pages) {
        this.usage = usage;
        this.retention = retention;
        this.pages = pages;
    }

    @GET
    public Response page(@Context ContainerRequest request) {
        DiskReport report = usage.report();
        var areas = new ArrayList<Map<String, Object>>();
        for (DiskReport.Area area : List.of(report.sites(), report.logs(), report.cache(), report.workspaces())) {
            areas.add(row(area, false));
            area.parts().forEach(part -> areas.add(row(part, true)));
        }
        if (report.database() != null) {
            areas.add(row(report.database(), false));
        }
        DiskReport.Volume volume = report.volume();
        long used = Math.max(0, volume.totalBytes() - volume.freeBytes());
        var model = new HashMap<String, Object>();
        model.put("areas", areas);
        model.put("total", Formats.bytes(report.totalBytes()));
        model.put("home", report.home());
        model.put("databaseMeasured", report.database() != null);
        model.put("volume", Map.of(
                "free", Formats.bytes(volume.freeBytes()),
                "total", Formats.bytes(volume.totalBytes()),
                "used", Formats.bytes(used),
                "usedPercent", volume.totalBytes() == 0 ? 0 : Math.round(100.0 * used / volume.totalBytes()),
                "usedBytes", used,
                "totalBytes", volume.totalBytes()));
        model.put("measuredAt", Formats.dateTime(report.measuredAt()));
        model.put("measuredAtIso", Formats.iso(report.measuredAt()));
        model.put("retention", Map.of("deployments", retention.deployments(), "logs", retention.logs()));
        return pages.render(request, "admin-disk", model);
    }

    private static Map<String, Object> row(DiskReport.Area area, boolean part) {
        return Map.of("name", area.name(), "path", area.path(), "part", part, "bytes", Formats.bytes(area.bytes()),
                "exactBytes", area.bytes(), "files", area.files());
    }
}
