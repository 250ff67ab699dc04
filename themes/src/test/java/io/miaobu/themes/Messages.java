package io.miaobu.themes;

import java.text.MessageFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;

import freemarker.template.TemplateMethodModelEx;
import freemarker.template.TemplateModel;
import freemarker.template.TemplateModelException;
import freemarker.template.TemplateScalarModel;
import freemarker.template.utility.DeepUnwrap;

/**
 * The {@code msg(key, args...)} method as the server must provide it: the locale's file before the default one,
 * each looked up from the active theme up to base, formatted with MessageFormat. A missing key fails the render,
 * so a test renders only when every key it reaches exists.
 */
final class Messages implements TemplateMethodModelEx {

    private final List<Properties> lookupOrder;
    private final Locale locale;

    Messages(Theme theme, Locale locale) {
        this.locale = locale;
        List<Properties> order = new ArrayList<>();
        String suffix = locale.getCountry().isEmpty() ? locale.getLanguage() : locale.getLanguage() + "_" + locale.getCountry();
        if (!locale.getLanguage().equals("en")) {
            for (String name : theme.chain()) {
                addIfPresent(order, "themes/" + name + "/messages/messages_" + suffix + ".properties");
            }
        }
        for (String name : theme.chain()) {
            addIfPresent(order, "themes/" + name + "/messages/messages.properties");
        }
        this.lookupOrder = List.copyOf(order);
    }

    private static void addIfPresent(List<Properties> order, String path) {
        Properties properties = Theme.readProperties(path);
        if (properties != null) {
            order.add(properties);
        }
    }

    String get(String key, Object... args) {
        for (Properties properties : lookupOrder) {
            String pattern = properties.getProperty(key);
            if (pattern != null) {
                return new MessageFormat(pattern, locale).format(args);
            }
        }
        throw new IllegalArgumentException("missing message key: " + key);
    }

    @Override
    public Object exec(@SuppressWarnings("rawtypes") List arguments) throws TemplateModelException {
        if (arguments.isEmpty() || !(arguments.get(0) instanceof TemplateScalarModel keyModel)) {
            throw new TemplateModelException("msg(key, args...) needs a string key");
        }
        Object[] args = new Object[arguments.size() - 1];
        for (int i = 1; i < arguments.size(); i++) {
            args[i - 1] = DeepUnwrap.unwrap((TemplateModel) arguments.get(i));
        }
        try {
            return get(keyModel.getAsString(), args);
        } catch (IllegalArgumentException e) {
            throw new TemplateModelException(e.getMessage(), e);
        }
    }
}
