package io.miaobu.plugin.email;

import freemarker.cache.ClassTemplateLoader;
import freemarker.core.TemplateClassResolver;
import freemarker.template.Configuration;
import freemarker.template.DefaultObjectWrapperBuilder;
import freemarker.template.TemplateException;
import freemarker.template.TemplateExceptionHandler;
import io.miaobu.api.host.HostInfo;
import io.miaobu.api.notify.DeploymentRef;
import io.miaobu.api.notify.NotificationEvent;
import io.miaobu.api.notify.ProjectRef;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Renders a notification as a subject and two bodies, from the FreeMarker templates next to this class in
 * {@code templates/}: {@code notification.txt.ftl} (plain text) and {@code notification.html.ftlh} (HTML, where
 * FreeMarker escapes every value). The templates see a flat model of strings built here, so that they need no access
 * to Java objects and a value can never become markup.
 */
final class MessageRenderer {

    static final String SUBJECT_PREFIX = "[Miaobu] ";
    private static final int SHORT_SHA = 7;
    private static final DateTimeFormatter WHEN =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'", Locale.ROOT).withZone(ZoneOffset.UTC);

    private final Configuration templates;
    private final HostInfo host;

    MessageRenderer(HostInfo host) {
        this.host = host;
        Configuration configuration = new Configuration(Configuration.VERSION_2_3_34);
        configuration.setTemplateLoader(new ClassTemplateLoader(MessageRenderer.class, "templates"));
        configuration.setRecognizeStandardFileExtensions(true);   // .ftlh: HTML output format, auto-escaped
        configuration.setDefaultEncoding("UTF-8");
        configuration.setLocale(Locale.ROOT);
        configuration.setLocalizedLookup(false);
        configuration.setTemplateExceptionHandler(TemplateExceptionHandler.RETHROW_HANDLER);
        configuration.setLogTemplateExceptions(false);
        configuration.setWrapUncheckedExceptions(true);
        configuration.setFallbackOnNullLoopVariable(false);
        configuration.setAPIBuiltinEnabled(false);
        configuration.setNewBuiltinClassResolver(TemplateClassResolver.ALLOWS_NOTHING_RESOLVER);
        configuration.setObjectWrapper(new DefaultObjectWrapperBuilder(Configuration.VERSION_2_3_34).build());
        this.templates = configuration;
    }

    /** The message for {@code event}; every kind renders, unknown ones with their summary only. */
    RenderedMessage render(NotificationEvent event) {
        Map<String, Object> model = model(event);
        return new RenderedMessage(oneLine(SUBJECT_PREFIX + event.summary()),
                render("notification.txt.ftl", model), render("notification.html.ftlh", model));
    }

    /**
     * The values the templates show. Missing values are absent (the templates test with {@code ??}); links are
     * present only for http(s) addresses.
     */
    Map<String, Object> model(NotificationEvent event) {
        var model = new HashMap<String, Object>();
        model.put("kind", event.kind().wireName());
        model.put("summary", event.summary());
        model.put("at", when(event.at()));
        model.put("miaobuUrl", link(host.publicUrl()));
        ProjectRef project = event.project();
        if (project != null) {
            var projectModel = new HashMap<String, Object>();
            projectModel.put("name", project.name());
            putLink(projectModel, "page", project.page());
            model.put("project", projectModel);
        }
        DeploymentRef deployment = event.deployment();
        if (deployment != null) {
            var deploymentModel = new HashMap<String, Object>();
            deploymentModel.put("id", Long.toString(deployment.id()));
            putText(deploymentModel, "branch", deployment.branch());
            putText(deploymentModel, "commit", shortSha(deployment.commitSha()));
            putLink(deploymentModel, "page", deployment.page());
            putLink(deploymentModel, "siteUrl", deployment.siteUrl());
            model.put("deployment", deploymentModel);
        }
        // the fields that only some kinds carry; a kind added to the API later still gets the generic part above
        if (event instanceof NotificationEvent.DeploymentFailed failed) {
            putText(model, "reason", failed.reason());
        } else if (event instanceof NotificationEvent.DeploymentCancelled cancelled) {
            putText(model, "reason", cancelled.reason());
        } else if (event instanceof NotificationEvent.DeploymentBroken broken) {
            putText(model, "reason", broken.reason());
        } else if (event instanceof NotificationEvent.RolledBack rolledBack) {
            putText(model, "byUser", rolledBack.byUser());
        } else if (event instanceof NotificationEvent.PreviewRemoved removed) {
            putText(model, "preview", removed.preview());
        } else if (event instanceof NotificationEvent.CertificateIssued issued) {
            putRequired(model, "domain", issued.domain());
            putRequired(model, "notAfter", when(issued.notAfter()));
        } else if (event instanceof NotificationEvent.CertificateRenewalFailing failing) {
            putRequired(model, "domain", failing.domain());
            putRequired(model, "notAfter", when(failing.notAfter()));
            putText(model, "error", failing.error());
        } else if (event instanceof NotificationEvent.CertificateExpiring expiring) {
            putRequired(model, "domain", expiring.domain());
            putRequired(model, "notAfter", when(expiring.notAfter()));
            putText(model, "error", expiring.lastError());
        } else if (event instanceof NotificationEvent.DomainChecked checked) {
            putRequired(model, "domain", checked.domain());
            putText(model, "reason", checked.reason());
        } else if (event instanceof NotificationEvent.PluginFailed plugin) {
            putRequired(model, "pluginId", plugin.pluginId());
            putText(model, "error", plugin.error());
        } else if (event instanceof NotificationEvent.Test test) {
            putText(model, "requestedBy", test.requestedBy());
        }
        return model;
    }

    private String render(String name, Map<String, Object> model) {
        try {
            var out = new StringWriter();
            templates.getTemplate(name).process(model, out);
            return out.toString();
        } catch (IOException e) {
            throw new UncheckedIOException("the email template " + name + " could not be read", e);
        } catch (TemplateException e) {
            throw new IllegalStateException("the email template " + name + " failed", e);
        }
    }

    private static void putText(Map<String, Object> model, String key, String value) {
        if (value != null && !value.isBlank()) {
            model.put(key, value);
        }
    }

    /** A value the kind's sentence names: never missing, so a half-filled event still renders. */
    private static void putRequired(Map<String, Object> model, String key, String value) {
        model.put(key, value == null || value.isBlank() ? "(unknown)" : value);
    }

    private static void putLink(Map<String, Object> model, String key, URI uri) {
        String link = link(uri);
        if (link != null) {
            model.put(key, link);
        }
    }

    /** Only http(s) addresses become links: a {@code javascript:} or {@code data:} URI is dropped, not shown. */
    private static String link(URI uri) {
        if (uri == null || uri.getScheme() == null) {
            return null;
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        return scheme.equals("http") || scheme.equals("https") ? uri.toASCIIString() : null;
    }

    private static String shortSha(String sha) {
        return sha == null || sha.length() <= SHORT_SHA ? sha : sha.substring(0, SHORT_SHA);
    }

    private static String when(Instant instant) {
        return instant == null ? null : WHEN.format(instant);
    }

    /** Line breaks and other control characters in a header become spaces: no header can be injected. */
    static String oneLine(String text) {
        var line = new StringBuilder(text.length());
        text.codePoints().forEach(c -> line.appendCodePoint(Character.isISOControl(c) ? ' ' : c));
        return line.toString().strip();
    }

    /** A rendered message. */
    record RenderedMessage(String subject, String text, String html) {
    }
}
