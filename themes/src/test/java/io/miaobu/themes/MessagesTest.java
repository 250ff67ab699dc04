package io.miaobu.themes;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.text.MessageFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every message key a template uses exists in English and Chinese, and the two files match key for key. */
class MessagesTest {

    /** msg("literal.key" — a complete key when followed by ',' or ')'; a prefix when followed by '+'. */
    private static final Pattern MSG_CALL = Pattern.compile("msg\\(\\s*\"([^\"]+)\"\\s*([,)+])");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{(\\d+)[^}]*}");

    /** Keys templates build at run time, from a fixed set of values the templates themselves check. */
    private static final Map<String, List<String>> DYNAMIC = Map.ofEntries(
            Map.entry("status.", SampleModels.STATUSES),
            Map.entry("plugins.state.", SampleModels.PLUGIN_STATES),
            Map.entry("error.heading.", List.of("400", "401", "403", "404", "405", "409", "413", "429", "500", "503")),
            Map.entry("event.", SampleModels.EVENTS),
            Map.entry("notify.delivery.status.", SampleModels.DELIVERY_STATUSES),
            Map.entry("preview.kind.", List.of("pull_request", "branch")),
            Map.entry("webhook.outcome.", SampleModels.WEBHOOK_OUTCOMES),
            Map.entry("domains.status.", SampleModels.DOMAIN_STATUSES),
            Map.entry("domains.cdn.status.", SampleModels.CDN_DOMAIN_STATUSES),
            Map.entry("certificate.status.", SampleModels.CERTIFICATE_STATUSES),
            Map.entry("certificate.source.", List.of("ISSUED", "UPLOADED")));

    @ParameterizedTest
    @ValueSource(strings = {"base", "midnight"})
    void chineseHasExactlyTheEnglishKeys(String theme) {
        Properties english = messages(theme, "messages.properties");
        Properties chinese = messages(theme, "messages_zh_CN.properties");

        assertThat(english).isNotEmpty();
        assertThat(chinese.stringPropertyNames()).containsExactlyInAnyOrderElementsOf(english.stringPropertyNames());
        for (String key : english.stringPropertyNames()) {
            assertThat(chinese.getProperty(key)).as(key).isNotBlank();
            assertThat(placeholders(chinese.getProperty(key))).as("placeholders of %s", key)
                    .isEqualTo(placeholders(english.getProperty(key)));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"base", "midnight"})
    void everyKeyUsedInATemplateExistsInBothLanguages(String themeName) {
        Theme theme = Theme.load(themeName);
        Set<String> used = new TreeSet<>();
        for (Path template : ThemeSources.reachableTemplates(theme)) {
            Matcher matcher = MSG_CALL.matcher(ThemeSources.read(template));
            while (matcher.find()) {
                String key = matcher.group(1);
                if (matcher.group(2).equals("+")) {
                    assertThat(DYNAMIC).as("dynamic key prefix %s in %s", key, template).containsKey(key);
                    DYNAMIC.get(key).forEach(suffix -> used.add(key + suffix));
                } else {
                    used.add(key);
                }
            }
        }
        assertThat(used).hasSizeGreaterThan(100);

        for (Locale locale : List.of(Locale.ENGLISH, Locale.SIMPLIFIED_CHINESE)) {
            Messages messages = new Messages(theme, locale);
            List<String> missing = new ArrayList<>();
            for (String key : used) {
                try {
                    messages.get(key, "x", "y");
                } catch (IllegalArgumentException e) {
                    missing.add(key);
                }
            }
            assertThat(missing).as("keys missing for %s in %s", locale, theme.chain()).isEmpty();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"base", "midnight"})
    void everyPatternIsAValidMessageFormatWithoutQuoting(String theme) {
        for (String file : List.of("messages.properties", "messages_zh_CN.properties")) {
            Properties properties = messages(theme, file);
            for (String key : properties.stringPropertyNames()) {
                String pattern = properties.getProperty(key);
                assertThat(pattern).as("%s %s: use ’ rather than an ASCII apostrophe, which MessageFormat eats", file, key)
                        .doesNotContain("'");
                assertThat(new MessageFormat(pattern, Locale.ROOT).format(new Object[] {"a", "b"})).isNotBlank();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"base", "midnight"})
    void chineseMessagesAreTranslated(String theme) {
        Properties english = messages(theme, "messages.properties");
        Properties chinese = messages(theme, "messages_zh_CN.properties");
        List<String> untranslated = english.stringPropertyNames().stream()
                .filter(key -> chinese.getProperty(key).equals(english.getProperty(key)))
                .filter(key -> english.getProperty(key).matches(".*[A-Za-z]{3,}.*"))
                .toList();
        assertThat(untranslated).isEmpty();
    }

    private static Properties messages(String theme, String file) {
        Properties properties = Theme.readProperties("themes/" + theme + "/messages/" + file);
        assertThat(properties).as("themes/%s/messages/%s", theme, file).isNotNull();
        return properties;
    }

    private static Set<String> placeholders(String pattern) {
        Set<String> found = new TreeSet<>();
        Matcher matcher = PLACEHOLDER.matcher(pattern);
        while (matcher.find()) {
            found.add(matcher.group(1));
        }
        return found;
    }
}
