package io.miaobu.themes;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Static checks on the theme files: layout, inheritance, and what the CSP and the asset pipeline require. */
class ThemeStructureTest {

    private static final List<String> PAGES = List.of("setup", "login", "dashboard", "project-new", "project",
            "deployment", "project-settings", "project-members", "project-variables", "project-domains", "plugins",
            "plugin-update-site",
            "extension-settings", "project-extension-settings",
            "account", "admin-users", "admin-audit", "admin-queue", "admin-disk", "project-notifications",
            "account-notifications", "admin-notifications", "notification-channel", "admin-delivery", "project-webhook",
            "import", "import-analysis", "domain-certificate", "admin-certificates", "error");
    private static final Pattern STATIC_CALL = Pattern.compile("static\\(\\s*\"([^\"]+)\"\\s*\\)");

    @Test
    void baseHasEveryPageAndNoParent() {
        Properties base = Theme.properties("base");
        assertThat(base.getProperty("name")).isEqualTo("base");
        assertThat(base.getProperty("parent")).isNull();
        for (String page : PAGES) {
            assertThat(Theme.load("base").resource("pages/" + page + ".ftlh")).as(page).isNotNull();
        }
        assertThat(Theme.load("base").resource("layout/page.ftlh")).isNotNull();
    }

    @Test
    void everyPageHasASampleModelSoThePageTestsRenderIt() {
        Path pages = ThemeSources.root("base").resolve("pages");
        assertThat(ThemeSources.files("base", ".ftlh")).filteredOn(p -> p.getParent().equals(pages))
                .extracting(p -> p.getFileName().toString().replace(".ftlh", ""))
                .containsExactlyInAnyOrderElementsOf(SampleModels.everyPage().keySet())
                .containsExactlyInAnyOrderElementsOf(PAGES);
    }

    @Test
    void midnightInheritsFromBaseAndOverridesOnlyStylesheetAndBrand() {
        Theme midnight = Theme.load("midnight");
        assertThat(Theme.properties("midnight").getProperty("name")).isEqualTo("midnight");
        assertThat(midnight.chain()).containsExactly("midnight", "base");

        Path root = ThemeSources.root("midnight");
        assertThat(ThemeSources.files("midnight", ".ftlh")).extracting(p -> root.relativize(p).toString())
                .containsExactly("macros/brand.ftlh");
        assertThat(ThemeSources.files("midnight", ".css")).extracting(p -> root.relativize(p).toString())
                .containsExactly("static/css/theme.css");
    }

    @ParameterizedTest
    @ValueSource(strings = {"base", "midnight"})
    void templatesHaveNoInlineScriptsHandlersOrHardcodedAssets(String theme) {
        for (Path template : ThemeSources.files(theme, ".ftlh")) {
            String source = ThemeSources.read(template);
            assertThat(source).as("%s: script without src", template).doesNotContainPattern("<script(?![^>]*\\ssrc=)");
            assertThat(source).as("%s: on* handler", template).doesNotContainPattern("(?i)\\son[a-z]+\\s*=");
            assertThat(source).as("%s: inline style", template).doesNotContainPattern("(?i)\\sstyle\\s*=|<style");
            assertThat(source).as("%s: hardcoded /static/", template).doesNotContain("\"/static/");
            assertThat(source).as("%s: escaping switched off", template).doesNotContain("?no_esc").doesNotContain("<#noautoesc");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"base", "midnight"})
    void everyStaticAssetATemplateNamesExists(String themeName) {
        Theme theme = Theme.load(themeName);
        int found = 0;
        for (Path template : ThemeSources.reachableTemplates(theme)) {
            Matcher matcher = STATIC_CALL.matcher(ThemeSources.read(template));
            while (matcher.find()) {
                found++;
                assertThat(theme.resource("static/" + matcher.group(1))).as(matcher.group(1)).isNotNull();
            }
        }
        assertThat(found).isGreaterThanOrEqualTo(3);
    }

    @Test
    void liveLogScriptAppendsTextAndNeverHtml() {
        String script = ThemeSources.read(ThemeSources.root("base").resolve("static/js/live-log.js"));

        assertThat(script).doesNotContain("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(");
        assertThat(script).contains("new EventSource(", "createTextNode(", "'line'", "'status'", "'end'",
                "source.close()", "location.reload()", "data-stream-url", "data-finished");
    }

    @Test
    void stylesheetStaysSmallAndAscii() {
        String css = ThemeSources.read(ThemeSources.root("base").resolve("static/css/miaobu.css"));

        assertThat(css.lines().count()).isLessThanOrEqualTo(320);
        assertThat(css).doesNotContain("@import", "url(http", "fonts.googleapis");
        assertThat(css.chars().allMatch(c -> c < 128)).as("non-ASCII in CSS; use \\hex escapes").isTrue();
        for (String status : SampleModels.STATUSES) {
            assertThat(css).as("badge class for %s", status).contains(".badge--" + status.toLowerCase());
        }
    }
}
