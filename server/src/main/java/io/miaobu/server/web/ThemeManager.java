package io.miaobu.server.web;

import freemarker.cache.ClassTemplateLoader;
import freemarker.cache.MultiTemplateLoader;
import freemarker.cache.TemplateLoader;
import freemarker.core.HTMLOutputFormat;
import freemarker.template.Configuration;
import freemarker.template.TemplateExceptionHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The active FreeMarker theme and its parents ({@code theme.properties: parent=…}): templates, messages and static
 * assets are looked up in the theme first, then each parent, down to {@code base}.
 */
public final class ThemeManager {

    private static final int MAX_DEPTH = 8;

    private final ClassLoader classLoader;
    private final List<String> chain;
    private final Configuration freemarker;
    private final Map<Locale, Messages> messages = new ConcurrentHashMap<>();
    private final Map<String, String> assetHashes = new ConcurrentHashMap<>();

    public ThemeManager(String theme, ClassLoader classLoader) {
        this.classLoader = classLoader;
        this.chain = chainOf(theme);
        this.freemarker = configure();
    }

    public Configuration freemarker() {
        return freemarker;
    }

    public String activeTheme() {
        return chain.get(0);
    }

    public Messages messages(Locale locale) {
        return messages.computeIfAbsent(locale, this::loadMessages);
    }

    /** The URL of a static asset, with its content hash so it can be cached for ever. */
    public String staticUrl(String path) {
        String hash = assetHashes.computeIfAbsent(path, this::hashOf);
        return "/static/" + hash + "/" + path;
    }

    /** The asset at {@code path} from the first theme in the chain that has it. */
    public Optional<URL> staticAsset(String path) {
        if (path.contains("..") || path.startsWith("/") || path.contains("\\")) {
            return Optional.empty();
        }
        for (String theme : chain) {
            URL url = classLoader.getResource("themes/" + theme + "/static/" + path);
            if (url != null) {
                return Optional.of(url);
            }
        }
        return Optional.empty();
    }

    private String hashOf(String path) {
        URL url = staticAsset(path).orElse(null);
        if (url == null) {
            return "missing";
        }
        try (InputStream in = url.openStream()) {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(in.readAllBytes());
            return HexFormat.of().formatHex(digest, 0, 5);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private List<String> chainOf(String theme) {
        var result = new ArrayList<String>();
        String current = theme;
        while (current != null && result.size() < MAX_DEPTH) {
            Properties properties = themeProperties(current);
            result.add(current);
            String parent = properties.getProperty("parent");
            current = parent == null || parent.isBlank() || result.contains(parent.strip()) ? null : parent.strip();
        }
        if (!result.contains("base")) {
            result.add("base");
        }
        return List.copyOf(result);
    }

    private Properties themeProperties(String theme) {
        var properties = new Properties();
        try (InputStream in = classLoader.getResourceAsStream("themes/" + theme + "/theme.properties")) {
            if (in == null) {
                throw new IllegalArgumentException("No theme named '" + theme + "' is installed.");
            }
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties;
    }

    private Configuration configure() {
        var configuration = new Configuration(Configuration.VERSION_2_3_35);
        TemplateLoader[] loaders = chain.stream()
                .map(theme -> new ClassTemplateLoader(classLoader, "themes/" + theme))
                .toArray(TemplateLoader[]::new);
        configuration.setTemplateLoader(new MultiTemplateLoader(loaders));
        configuration.setRecognizeStandardFileExtensions(true);
        configuration.setOutputFormat(HTMLOutputFormat.INSTANCE);
        configuration.setDefaultEncoding("UTF-8");
        // ids go into URLs: 1042, not "1,042"
        configuration.setNumberFormat("computer");
        configuration.setTemplateExceptionHandler(TemplateExceptionHandler.RETHROW_HANDLER);
        configuration.setLogTemplateExceptions(false);
        configuration.setWrapUncheckedExceptions(true);
        configuration.setFallbackOnNullLoopVariable(false);
        configuration.setAPIBuiltinEnabled(false);
        return configuration;
    }

    private Messages loadMessages(Locale locale) {
        var bundles = new ArrayList<Properties>();
        String suffix = locale.getCountry().isEmpty() ? locale.getLanguage()
                : locale.getLanguage() + "_" + locale.getCountry();
        if (!locale.getLanguage().equals("en")) {
            for (String theme : chain) {
                load("themes/" + theme + "/messages/messages_" + suffix + ".properties").ifPresent(bundles::add);
            }
        }
        for (String theme : chain) {
            load("themes/" + theme + "/messages/messages.properties").ifPresent(bundles::add);
        }
        return new Messages(locale, bundles);
    }

    private Optional<Properties> load(String resource) {
        try (InputStream in = classLoader.getResourceAsStream(resource)) {
            if (in == null) {
                return Optional.empty();
            }
            var properties = new Properties();
            properties.load(new java.io.InputStreamReader(in, java.nio.charset.StandardCharsets.UTF_8));
            return Optional.of(properties);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
