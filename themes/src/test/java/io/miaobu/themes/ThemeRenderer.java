package io.miaobu.themes;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URL;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import freemarker.cache.ClassTemplateLoader;
import freemarker.cache.MultiTemplateLoader;
import freemarker.cache.TemplateLoader;
import freemarker.core.HTMLOutputFormat;
import freemarker.template.Configuration;
import freemarker.template.TemplateException;
import freemarker.template.TemplateExceptionHandler;
import freemarker.template.TemplateMethodModelEx;
import freemarker.template.TemplateModelException;
import freemarker.template.TemplateScalarModel;

/** FreeMarker configured as the brief tells the server's ThemeManager to configure it, plus the common model. */
final class ThemeRenderer {

    final Theme theme;
    private final Configuration configuration;

    ThemeRenderer(String themeName) {
        this.theme = Theme.load(themeName);
        TemplateLoader[] loaders = theme.chain().stream()
                .map(name -> new ClassTemplateLoader(ThemeRenderer.class, "/themes/" + name))
                .toArray(TemplateLoader[]::new);
        Configuration cfg = new Configuration(Configuration.VERSION_2_3_35);
        cfg.setTemplateLoader(new MultiTemplateLoader(loaders));
        cfg.setRecognizeStandardFileExtensions(true);
        cfg.setOutputFormat(HTMLOutputFormat.INSTANCE);
        cfg.setDefaultEncoding("UTF-8");
        cfg.setNumberFormat("computer");
        cfg.setTemplateExceptionHandler(TemplateExceptionHandler.RETHROW_HANDLER);
        cfg.setLogTemplateExceptions(false);
        cfg.setWrapUncheckedExceptions(true);
        cfg.setFallbackOnNullLoopVariable(false);
        this.configuration = cfg;
    }

    /** Renders pages/{page}.ftlh with the common entries (msg, static, lang) added to the page model. */
    String render(String page, String lang, Map<String, Object> pageModel) {
        Map<String, Object> model = new LinkedHashMap<>(pageModel);
        Locale locale = Locale.forLanguageTag(lang);
        model.put("msg", new Messages(theme, locale));
        model.put("static", staticFunction());
        model.put("lang", lang);
        try {
            StringWriter out = new StringWriter();
            configuration.getTemplate("/pages/" + page + ".ftlh", locale).process(model, out);
            return out.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (TemplateException e) {
            throw new AssertionError("rendering " + theme.name() + "/pages/" + page + " failed: " + e.getMessage(), e);
        }
    }

    /** Like the server's: /static/{path}?v={content hash}; a path no theme in the chain has fails the render. */
    private TemplateMethodModelEx staticFunction() {
        return arguments -> {
            if (arguments.size() != 1 || !(arguments.get(0) instanceof TemplateScalarModel pathModel)) {
                throw new TemplateModelException("static(path) needs one string");
            }
            String path = pathModel.getAsString();
            URL url = theme.resource("static/" + path);
            if (url == null) {
                throw new TemplateModelException("no static asset " + path + " in " + theme.chain());
            }
            return "/static/" + path + "?v=" + contentHash(url);
        };
    }

    static String contentHash(URL url) {
        try (InputStream in = url.openStream()) {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(in.readAllBytes());
            return HexFormat.of().formatHex(digest, 0, 6);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
