package io.miaobu.server.notify;

import io.miaobu.server.auth.AccessFilter;
import io.miaobu.server.auth.Allow;
import io.miaobu.server.auth.Permission;
import io.miaobu.server.auth.ProjectRole;
import io.miaobu.server.deploy.SiteUrls;
import io.miaobu.server.project.ProjectPages;
import io.miaobu.server.project.ProjectService;
import io.miaobu.server.web.PageRenderer;
import io.miaobu.server.web.UserFacingException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Form;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.HashMap;
import java.util.Map;
import org.glassfish.jersey.server.ContainerRequest;

/**
 * A project's notifications tab: its channels for every member to see, managed by maintainers and owners, and each
 * channel's page with its settings and delivery log.
 */
@Path("")
@Produces(MediaType.TEXT_HTML)
public final class ProjectNotificationPages {

    private final ChannelPages channels;
    private final ProjectService projects;
    private final PageRenderer pages;
    private final SiteUrls siteUrls;

    public ProjectNotificationPages(ChannelPages channels, ProjectService projects, PageRenderer pages,
                                    SiteUrls siteUrls) {
        this.channels = channels;
        this.projects = projects;
        this.pages = pages;
        this.siteUrls = siteUrls;
    }

    @GET
    @Path("projects/{projectId}/notifications")
    @Allow(Permission.PROJECT_VIEW)
    public Response page(@PathParam("projectId") long projectId, @QueryParam("notifier") String notifier,
                         @Context ContainerRequest request) {
        return page(request, projectId, notifier, Map.of(), null, null, 200);
    }

    /** Adds a channel; a secret generated for it is on the answer's page, this once. */
    @POST
    @Path("projects/{projectId}/notifications")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Allow(Permission.PROJECT_CONFIGURE)
    public Response create(@PathParam("projectId") long projectId, Form form, @Context ContainerRequest request) {
        ChannelPages.Place place = place(projectId);
        try {
            var created = channels.create(place, form, AccessFilter.actor(request));
            if (created.generatedSecrets().isEmpty()) {
                return pages.redirect(place.base(), "Added " + created.channel().name() + ".");
            }
            // rendered, not redirected: the secret must not travel in a cookie; pages are never cached
            return page(request, projectId, null, Map.of(), null, channels.newSecrets(created), 201);
        } catch (UserFacingException e) {
            if (e.status() == 404) {
                throw e;
            }
            return page(request, projectId, form.asMap().getFirst("notifier"), PageRenderer.errorsOf(e),
                    ChannelPages.submitted(form), null, e.status());
        }
    }

    @GET
    @Path("projects/{projectId}/notifications/{channelId}")
    @Allow(Permission.PROJECT_VIEW)
    public Response channel(@PathParam("projectId") long projectId, @PathParam("channelId") long channelId,
                            @Context ContainerRequest request) {
        return channelPage(request, projectId, channelId, Map.of(), null, 200);
    }

    @POST
    @Path("projects/{projectId}/notifications/{channelId}")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Allow(Permission.PROJECT_CONFIGURE)
    public Response update(@PathParam("projectId") long projectId, @PathParam("channelId") long channelId, Form form,
                           @Context ContainerRequest request) {
        ChannelPages.Place place = place(projectId);
        Channel channel = channels.find(place, channelId);
        try {
            Channel changed = channels.update(channel, form, AccessFilter.actor(request));
            return pages.redirect(place.channelPage(channelId), "Saved " + changed.name() + ".");
        } catch (UserFacingException e) {
            if (e.status() == 404) {
                throw e;
            }
            return channelPage(request, projectId, channelId, PageRenderer.errorsOf(e), ChannelPages.submitted(form),
                    e.status());
        }
    }

    @POST
    @Path("projects/{projectId}/notifications/{channelId}/enable")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Allow(Permission.PROJECT_CONFIGURE)
    public Response enable(@PathParam("projectId") long projectId, @PathParam("channelId") long channelId,
                           @Context ContainerRequest request) {
        ChannelPages.Place place = place(projectId);
        return channels.setEnabled(place, channels.find(place, channelId), true, AccessFilter.actor(request));
    }

    @POST
    @Path("projects/{projectId}/notifications/{channelId}/disable")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Allow(Permission.PROJECT_CONFIGURE)
    public Response disable(@PathParam("projectId") long projectId, @PathParam("channelId") long channelId,
                            @Context ContainerRequest request) {
        ChannelPages.Place place = place(projectId);
        return channels.setEnabled(place, channels.find(place, channelId), false, AccessFilter.actor(request));
    }

    @POST
    @Path("projects/{projectId}/notifications/{channelId}/delete")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Allow(Permission.PROJECT_CONFIGURE)
    public Response delete(@PathParam("projectId") long projectId, @PathParam("channelId") long channelId,
                           @Context ContainerRequest request) {
        ChannelPages.Place place = place(projectId);
        return channels.delete(place, channels.find(place, channelId), AccessFilter.actor(request));
    }

    /** Sends a test through the channel now; the answer is the next page's flash message. */
    @POST
    @Path("projects/{projectId}/notifications/{channelId}/test")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Allow(Permission.PROJECT_CONFIGURE)
    public Response test(@PathParam("projectId") long projectId, @PathParam("channelId") long channelId,
                         @FormParam("back") String back, @Context ContainerRequest request) {
        ChannelPages.Place place = place(projectId);
        return channels.test(place, channels.find(place, channelId), AccessFilter.currentUser(request), back);
    }

    private ChannelPages.Place place(long projectId) {
        return new ChannelPages.Place(Channel.Scope.PROJECT, projectId, null,
                "/projects/" + projectId + "/notifications");
    }

    private static boolean canEdit(ContainerRequest request) {
        ProjectRole role = AccessFilter.projectRole(request);
        return role != null && role.atLeast(Permission.PROJECT_CONFIGURE.minimumRole());
    }

    private Response page(ContainerRequest request, long projectId, String notifier, Map<String, String> errors,
                          Map<String, Object> form, Map<String, Object> newSecrets, int status) {
        var model = new HashMap<>(channels.listModel(place(projectId), notifier, canEdit(request), errors, form));
        model.put("project", ProjectPages.summaryOf(projects.get(projectId), siteUrls));
        if (newSecrets != null) {
            model.put("newSecrets", newSecrets);
        }
        return pages.render(request, "project-notifications", model, status);
    }

    private Response channelPage(ContainerRequest request, long projectId, long channelId, Map<String, String> errors,
                                 Map<String, Object> form, int status) {
        ChannelPages.Place place = place(projectId);
        var model = new HashMap<>(channels.channelModel(place, channels.find(place, channelId), canEdit(request),
                errors, form));
        model.put("scope", "project");
        model.put("project", ProjectPages.summaryOf(projects.get(projectId), siteUrls));
        return pages.render(request, "notification-channel", model, status);
    }
}
