package io.miaobu.server.web;

import freemarker.template.Template;
import freemarker.template.TemplateException;
import freemarker.template.TemplateMethodModelEx;
import freemarker.template.TemplateModelException;
import freemarker.template.utility.DeepUnwrap;
import io.miaobu.server.auth.AccessFilter;
import io.miaobu.server.auth.Caller;
import io.miaobu.server.auth.CsrfTokens;
import io.miaobu.server.auth.User;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Cookie;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders a theme's page template ({@code pages/<name>.ftlh}) with the page's model plus what every page gets:
 * {@code msg(key, args…)}, {@code static(path)}, {@code currentUser}, {@code app}, {@code flash}, {@code lang} and,
 * with a session cookie, {@code csrfToken} (which the themes put into every form).
 * Rendering happens into a string before the response is committed, so a template error becomes a clean error page.
 */
public final class PageRenderer {

    private static final String FLASH_COOKIE = "miaobu_flash";

    private final ThemeManager themes;
    private final CsrfTokens csrf;
    private final String version;
    private final String sitesDomain;
    private final boolean secureCookies;

    public PageRenderer(ThemeManager themes, CsrfTokens csrf, String version, String sitesDomain,
                        boolean secureCookies) {
        this.themes = themes;
        this.csrf = csrf;
        this.version = version;
        this.sitesDomain = sitesDomain;
        this.secureCookies = secureCookies;
    }

    public Response render(ContainerRequestContext request, String page, Map<String, ?> model) {
        return render(request, page, model, 200);
    }

    public Response render(ContainerRequestContext request, String page, Map<String, ?> model, int status) {
        Locale locale = Messages.negotiate(request.getAcceptableLanguages());
        Messages messages = themes.messages(locale);
        var data = new HashMap<String, Object>(model);
        data.put("msg", (TemplateMethodModelEx) arguments -> messages.get(string(arguments, 0),
                arguments.subList(Math.min(1, arguments.size()), arguments.size()).stream()
                        .map(PageRenderer::unwrap).toArray()));
        data.put("static", (TemplateMethodModelEx) arguments -> themes.staticUrl(string(arguments, 0)));
        data.put("app", Map.of("version", version, "sitesDomain", sitesDomain));
        data.put("lang", locale.getLanguage().equals("zh") ? "zh-CN" : "en");
        Caller caller = AccessFilter.caller(request);
        if (caller != null) {
            User user = caller.user();
            data.put("currentUser", Map.of("username", user.username(), "admin", user.isAdmin()));
            if (caller.sessionId() != null) {
                data.put("csrfToken", csrf.tokenFor(caller.sessionId()));
            }
        }
        Cookie flash = request.getCookies().get(FLASH_COOKIE);
        if (flash != null && !flash.getValue().isEmpty()) {
            data.put("flash", URLDecoder.decode(flash.getValue(), StandardCharsets.UTF_8));
        }
        var html = new StringWriter();
        try {
            Template template = themes.freemarker().getTemplate("pages/" + page + ".ftlh");
            template.process(data, html);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load page template " + page, e);
        } catch (TemplateException e) {
            throw new IllegalStateException("page template " + page + " failed", e);
        }
        var response = Response.status(status)
                .type(MediaType.TEXT_HTML_TYPE.withCharset("UTF-8"))
                .header("Cache-Control", "no-store")
                .entity(html.toString());
        if (flash != null) {
            response.cookie(flashCookie("", 0));
        }
        return response.build();
    }

    /** A 303 redirect (POST/redirect/GET) that shows {@code message} on the next page. */
    public Response redirect(String location, String message) {
        var response = Response.seeOther(URI.create(location));
        if (message != null) {
            response.cookie(flashCookie(URLEncoder.encode(message, StandardCharsets.UTF_8), 60));
        }
        return response.build();
    }

    /** The form's errors as the templates expect them: field name → message. */
    public static Map<String, String> errorsOf(UserFacingException e) {
        return Map.of(e.field() == null ? "_form" : e.field(), e.getMessage());
    }

    private NewCookie flashCookie(String value, int maxAge) {
        return new NewCookie.Builder(FLASH_COOKIE).value(value).path("/").maxAge(maxAge).httpOnly(true)
                .secure(secureCookies).sameSite(NewCookie.SameSite.LAX).build();
    }

    private static String string(List<?> arguments, int index) throws TemplateModelException {
        if (arguments.size() <= index) {
            throw new TemplateModelException("missing argument " + index);
        }
        return String.valueOf(unwrap(arguments.get(index)));
    }

    private static Object unwrap(Object argument) {
        try {
            return argument instanceof freemarker.template.TemplateModel model ? DeepUnwrap.unwrap(model) : argument;
        } catch (TemplateModelException e) {
            return String.valueOf(argument);
        }
    }
}
