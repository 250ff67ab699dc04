package io.miaobu.server.web;

import java.text.MessageFormat;
import java.util.List;
import java.util.Locale;
import java.util.Properties;

/** Translated texts of the active theme for one locale, falling back to English and then to the key itself. */
public final class Messages {

    private final Locale locale;
    private final List<Properties> bundles;

    Messages(Locale locale, List<Properties> bundles) {
        this.locale = locale;
        this.bundles = List.copyOf(bundles);
    }

    public String get(String key, Object... args) {
        for (Properties bundle : bundles) {
            String pattern = bundle.getProperty(key);
            if (pattern != null) {
                return new MessageFormat(pattern, locale).format(args);
            }
        }
        return key;
    }

    public Locale locale() {
        return locale;
    }

    /** The locale to use for an Accept-Language header: Chinese when preferred, English otherwise. */
    public static Locale negotiate(List<Locale> acceptable) {
        for (Locale candidate : acceptable) {
            if (candidate.getLanguage().equals("zh")) {
                return Locale.SIMPLIFIED_CHINESE;
            }
            if (candidate.getLanguage().equals("en")) {
                return Locale.ENGLISH;
            }
        }
        return Locale.ENGLISH;
    }
}
