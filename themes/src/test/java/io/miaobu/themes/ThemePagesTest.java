package io.miaobu.themes;

import static io.miaobu.themes.SampleModels.ATTR_XSS;
import static io.miaobu.themes.SampleModels.CSRF;
import static io.miaobu.themes.SampleModels.PROJECT_ID;
import static io.miaobu.themes.SampleModels.SLUG;
import static io.miaobu.themes.SampleModels.STATUSES;
import static io.miaobu.themes.SampleModels.XSS;
import static io.miaobu.themes.SampleModels.errors;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.jsoup.Jsoup;
import org.jsoup.nodes.Attribute;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.select.Elements;
import org.junit.jupiter.api.Test;

/** Renders every page of every theme with sample models and checks structure, forms, escaping and accessibility. */
class ThemePagesTest {

    private static final Map<String, ThemeRenderer> RENDERERS = new ConcurrentHashMap<>();

    private static Document render(String theme, String lang, String page, Map<String, Object> model) {
        String html = RENDERERS.computeIfAbsent(theme, ThemeRenderer::new).render(page, lang, model);
        assertThat(html).as("raw HTML of %s", page)
                .doesNotContainIgnoringCase("<script>alert")
                .doesNotContain(ATTR_XSS);
        Document doc = Jsoup.parse(html);
        assertCommonStructure(doc, lang, model);
        return doc;
    }

    private static void assertCommonStructure(Document doc, String lang, Map<String, Object> model) {
        assertThat(doc.documentType()).isNotNull();
        assertThat(doc.selectFirst("html").attr("lang")).isEqualTo(lang);
        assertThat(doc.title()).isNotBlank();
        assertThat(doc.select("body > header")).hasSize(1);
        assertThat(doc.select("body > main#main")).hasSize(1);
        assertThat(doc.select("body > footer")).hasSize(1);
        assertThat(doc.select("main h1")).hasSize(1);
        assertThat(doc.select("a.skip-link[href=#main]")).hasSize(1);
        assertThat(doc.select("link[rel=stylesheet]")).isNotEmpty()
                .allSatisfy(link -> assertThat(link.attr("href")).startsWith("/static/css/").contains("?v="));

        for (Element script : doc.select("script")) {
            assertThat(script.hasAttr("src")).as("inline script: %s", script).isTrue();
            assertThat(script.data()).isEmpty();
            assertThat(script.hasAttr("defer")).isTrue();
        }
        for (Element element : doc.getAllElements()) {
            for (Attribute attribute : element.attributes()) {
                assertThat(attribute.getKey()).as("event handler attribute on %s", element.tagName())
                        .doesNotStartWithIgnoringCase("on");
            }
            assertThat(element.attr("href")).doesNotStartWithIgnoringCase("javascript:");
            assertThat(element.attr("style")).as("inline style").isEmpty();
        }

        Set<String> ids = new HashSet<>();
        for (Element element : doc.select("[id]")) {
            assertThat(ids.add(element.id())).as("duplicate id %s", element.id()).isTrue();
        }
        for (Element element : doc.select("[aria-describedby]")) {
            for (String id : element.attr("aria-describedby").split(" ")) {
                assertThat(doc.getElementById(id)).as("aria-describedby target %s", id).isNotNull();
            }
        }
        for (Element input : doc.select("input:not([type=hidden]), select, textarea")) {
            assertThat(input.id()).as("input %s has an id", input.attr("name")).isNotEmpty();
            assertThat(doc.select("label[for=" + input.id() + "]")).as("label for %s", input.id()).hasSize(1);
        }
        for (Element cell : doc.select(".table--stack td:not(.row-actions)")) {
            assertThat(cell.attr("data-label")).as("label for a stacked cell on narrow screens").isNotBlank();
        }
        for (Element button : doc.select("button")) {
            assertThat(button.text()).as("button text").isNotBlank();
            assertThat(button.attr("type")).isEqualTo("submit");
        }

        for (Element form : doc.select("form")) {
            if (form.attr("method").equals("get")) {
                assertThat(form.select("input[name=csrf]")).as("a GET form must not put the csrf token in a URL")
                        .isEmpty();
                continue;
            }
            assertThat(form.attr("method")).isEqualTo("post");
            if (model.get("csrfToken") != null) {
                assertThat(form.select("input[type=hidden][name=csrf]"))
                        .as("csrf input in form %s", form.attr("action")).hasSize(1)
                        .first().extracting(input -> input.attr("value")).isEqualTo(CSRF);
            } else {
                assertThat(form.select("input[name=csrf]")).isEmpty();
            }
        }

        boolean signedIn = model.get("currentUser") != null;
        assertThat(doc.select("form[action=/logout]")).hasSize(signedIn ? 1 : 0);
        if (signedIn) {
            assertThat(doc.select("header .site-user__name").text()).contains("ada" + XSS);
            assertThat(doc.select("header nav a[href=/]")).hasSize(1);
        }
        if (model.get("flash") != null) {
            assertThat(doc.select(".flash[role=status]").text()).isEqualTo(model.get("flash"));
        } else {
            assertThat(doc.select(".flash")).isEmpty();
        }
        assertThat(doc.select("footer").text()).contains("0.1.0");
    }

    private static Set<String> postActions(Document doc) {
        Set<String> actions = new HashSet<>();
        doc.select("form[method=post]").forEach(form -> actions.add(form.attr("action")));
        return actions;
    }

    @EveryThemeAndLanguage
    void setupPagePostsTheAdministratorForm(String theme, String lang) {
        Document doc = render(theme, lang, "setup", SampleModels.setup(errors()));

        Element form = doc.selectFirst("form[action=/setup]");
        assertThat(form).isNotNull();
        for (String name : List.of("setupToken", "username", "password", "passwordConfirm")) {
            assertThat(form.select("input[name=" + name + "]")).as(name).hasSize(1);
        }
        assertThat(form.select("input[type=password]")).hasSize(2)
                .allSatisfy(input -> assertThat(input.hasAttr("value")).isFalse());
        assertThat(form.selectFirst("input[name=username]").attr("value")).isEqualTo("admin" + ATTR_XSS);
        assertThat(form.select("code").text()).isEqualTo("/var/lib/miaobu/setup-token" + XSS);
        assertThat(doc.select(".alert--error")).isEmpty();
        assertThat(doc.select("header nav")).isEmpty();
    }

    @EveryThemeAndLanguage
    void setupPageShowsFieldAndFormErrors(String theme, String lang) {
        Document doc = render(theme, lang, "setup", SampleModels.setup(
                errors("_form", "Token expired " + XSS, "passwordConfirm", "Passwords differ " + XSS)));

        Element summary = doc.selectFirst(".alert--error[role=alert]");
        assertThat(summary).isNotNull();
        assertThat(summary.text()).contains("Token expired " + XSS, "Passwords differ " + XSS);
        assertThat(summary.select("a[href=#field-passwordConfirm]")).hasSize(1);
        Element input = doc.getElementById("field-passwordConfirm");
        assertThat(input.attr("aria-invalid")).isEqualTo("true");
        assertThat(doc.getElementById("field-passwordConfirm-error").text()).isEqualTo("Passwords differ " + XSS);
        assertThat(doc.getElementById("field-username").hasAttr("aria-invalid")).isFalse();
    }

    @EveryThemeAndLanguage
    void loginPageCarriesNextAndErrors(String theme, String lang) {
        Document doc = render(theme, lang, "login", SampleModels.login(errors("_form", "Wrong password"), "/projects/7"));

        Element form = doc.selectFirst("form[action=/login]");
        assertThat(form.selectFirst("input[type=hidden][name=next]").attr("value")).isEqualTo("/projects/7");
        assertThat(form.select("input[name=username]").attr("autocomplete")).isEqualTo("username");
        assertThat(form.select("input[name=password]").attr("autocomplete")).isEqualTo("current-password");
        assertThat(doc.select(".alert--error").text()).contains("Wrong password");
    }

    @EveryThemeAndLanguage
    void loginPageOffersEveryConfiguredIdentityProviderKeepingNext(String theme, String lang) {
        Map<String, Object> model = SampleModels.with(SampleModels.login(errors(), "/projects/7?tab=a&b=c"),
                "identityProviders", List.of(SampleModels.map("id", "github", "displayName", "GitHub " + XSS),
                        SampleModels.map("id", "git lab", "displayName", "Lab" + ATTR_XSS)));
        Document doc = render(theme, lang, "login", model);

        assertThat(doc.select("a[href^=/auth/]")).extracting(a -> a.attr("href")).containsExactly(
                "/auth/github/start?next=%2Fprojects%2F7%3Ftab%3Da%26b%3Dc",
                "/auth/git%20lab/start?next=%2Fprojects%2F7%3Ftab%3Da%26b%3Dc");
        assertThat(doc.select("a[href^=/auth/github]").text()).contains("GitHub " + XSS);
        assertThat(doc.select("a[onmouseover]")).isEmpty();
    }

    @EveryThemeAndLanguage
    void loginPageWithoutIdentityProvidersHasNoExternalSignIn(String theme, String lang) {
        Document doc = render(theme, lang, "login", SampleModels.login(errors(), ""));

        assertThat(doc.select("a[href^=/auth/]")).isEmpty();
        assertThat(doc.select("#sign-in-with-heading")).isEmpty();
    }

    @EveryThemeAndLanguage
    void accountPageListsConnectedAccountsWithConnectAndDisconnect(String theme, String lang) {
        Map<String, Object> model = SampleModels.with(SampleModels.account(false, errors()),
                "hasPassword", false,
                "identities", List.of(
                        SampleModels.map("id", "github", "name", "GitHub", "linked", true, "canConnect", true,
                                "login", "octo" + XSS, "linkedAt", "2026-01-02"),
                        SampleModels.map("id", "gitlab", "name", "GitLab " + XSS, "linked", false,
                                "canConnect", true),
                        SampleModels.map("id", "gone", "name", "gone", "linked", false, "canConnect", false)));
        Document doc = render(theme, lang, "account", model);

        assertThat(postActions(doc)).contains("/account/identities/github/disconnect").doesNotContain(
                "/account/identities/gitlab/disconnect", "/account/identities/gone/disconnect");
        assertThat(doc.select("a[href^=/auth/]")).extracting(a -> a.attr("href"))
                .containsExactly("/auth/gitlab/start?intent=link");
        assertThat(doc.select("#identities-heading + p + table, section[aria-labelledby=identities-heading]").text())
                .contains("octo" + XSS);
        // no password yet: the password form sets one without asking for the current one
        Element password = doc.selectFirst("form[action=/account/password]");
        assertThat(password.select("input[name=currentPassword]")).isEmpty();
        assertThat(password.select("input[name=password]")).hasSize(1);
    }

    @EveryThemeAndLanguage
    void accountPageWithAPasswordAsksForTheCurrentOneAndShowsNoConnectedAccountsWhenNoneAreOffered(String theme,
                                                                                                  String lang) {
        Document doc = render(theme, lang, "account", SampleModels.account(false, errors()));

        assertThat(doc.select("#identities-heading")).isEmpty();
        assertThat(doc.select("form[action=/account/password] input[name=currentPassword]")).hasSize(1);
    }

    @EveryThemeAndLanguage
    void loginPageRendersWithoutOptionalValues(String theme, String lang) {
        Map<String, Object> model = SampleModels.common(false, false, false, false);
        Document doc = render(theme, lang, "login", model);

        assertThat(doc.select("form[action=/login] input[name=next]").attr("value")).isEmpty();
        assertThat(doc.select("input[name=csrf]")).isEmpty();
    }

    @EveryThemeAndLanguage
    void dashboardListsProjectsWithLiveAndLastBuild(String theme, String lang) {
        Document doc = render(theme, lang, "dashboard", SampleModels.dashboard(false));

        assertThat(doc.select("main a[href=/projects/new]")).hasSize(1);
        assertThat(doc.select(".card")).hasSize(2);
        Element shop = doc.select(".card").first();
        assertThat(shop.selectFirst("h2 a").attr("href")).isEqualTo("/projects/" + PROJECT_ID);
        assertThat(shop.selectFirst("h2").text()).isEqualTo("Shop " + XSS);
        assertThat(shop.select("a[href=https://shop.sites.example.test/]")).hasSize(1);
        assertThat(shop.select("a[href=/deployments/5001]").text()).isEqualTo("a1b2c3d");
        assertThat(shop.select("time[datetime=2026-01-02T03:04:05Z]")).hasSize(1);
        assertThat(shop.select("a[href=/deployments/5002] .badge.badge--building").attr("data-status")).isEqualTo("BUILDING");
        assertThat(shop.text()).contains("main" + XSS);
        Element docs = doc.select(".card").get(1);
        assertThat(docs.selectFirst("h2 a").attr("href")).isEqualTo("/projects/1043");
        assertThat(docs.select(".badge, time")).isEmpty();
        assertThat(doc.select("header nav a[href=/plugins]")).hasSize(1);
    }

    @EveryThemeAndLanguage
    void dashboardShowsAnEmptyStateWithACallToAction(String theme, String lang) {
        Document doc = render(theme, lang, "dashboard", SampleModels.dashboard(true));

        assertThat(doc.select(".card")).isEmpty();
        assertThat(doc.select(".empty a[href=/projects/new]")).hasSize(1);
    }

    @EveryThemeAndLanguage
    void dashboardHidesPluginsFromNonAdmins(String theme, String lang) {
        Map<String, Object> model = SampleModels.with(SampleModels.common(true, false, true, false),
                "projects", List.of());
        Document doc = render(theme, lang, "dashboard", model);

        assertThat(doc.select("a[href=/plugins]")).isEmpty();
        assertThat(doc.select("header nav a[href=/][aria-current=page]")).hasSize(1);
    }

    @EveryThemeAndLanguage
    void newProjectFormPostsEveryField(String theme, String lang) {
        Document doc = render(theme, lang, "project-new",
                SampleModels.projectNew(errors("repositoryUrl", "Cannot clone " + XSS)));

        Element form = doc.selectFirst("form[action=/projects]");
        for (String name : List.of("name", "repositoryUrl", "branch", "rootDirectory", "installCommand", "buildCommand",
                "outputDirectory", "spa")) {
            assertThat(form.select("[name=" + name + "]")).as(name).hasSize(1);
        }
        assertThat(form.selectFirst("input[name=spa]").attr("type")).isEqualTo("checkbox");
        assertThat(form.selectFirst("input[name=spa]").hasAttr("checked")).isTrue();
        assertThat(form.selectFirst("input[name=name]").attr("value")).isEqualTo("Shop" + ATTR_XSS);
        assertThat(doc.getElementById("field-repositoryUrl").attr("aria-invalid")).isEqualTo("true");
        assertThat(doc.select("fieldset legend")).hasSize(2);
        assertThat(form.select("fieldset").get(1).selectFirst("p.field__hint").text()).isNotBlank();
    }

    @EveryThemeAndLanguage
    void projectPageOffersDeployActivateRollbackAndCancel(String theme, String lang) {
        Document doc = render(theme, lang, "project", SampleModels.projectPage(false));

        assertThat(doc.selectFirst("main h1").text()).isEqualTo("Shop " + XSS);
        assertThat(doc.select("main a[href=https://shop.sites.example.test/]")).hasSize(1);
        assertThat(doc.select("a[href=/projects/1042/settings]")).hasSize(1);
        assertThat(postActions(doc)).containsExactlyInAnyOrder("/logout", "/projects/1042/deploy",
                "/deployments/5001/activate", "/deployments/5003/cancel");
        assertThat(doc.select("tbody tr")).hasSize(4);
        for (String id : List.of("5003", "5002", "5001", "5000")) {
            assertThat(doc.select("tbody a[href=/deployments/" + id + "]")).as(id).hasSize(1);
        }
        assertThat(doc.select("tbody tr.is-live")).hasSize(1);
        assertThat(doc.select("tbody tr.is-live .tag--current")).hasSize(1);
        assertThat(doc.select("tbody .badge--failed").text()).isNotBlank();
        assertThat(doc.select("tbody").text()).contains("Fix " + XSS, "main" + XSS, "Grace " + XSS, "42 s");
        assertThat(doc.select("time[datetime=2026-01-02T03:00:00Z]")).hasSize(4);

        String rollback = doc.selectFirst("form[action=/deployments/5001/activate] button").ownText();
        String activateOnNewer = RENDERERS.get(theme).render("project", lang, SampleModels.with(
                SampleModels.projectPage(false), "deployments",
                List.of(SampleModels.deploymentRow(5009, "LIVE", false, true, false),
                        SampleModels.deploymentRow(5002, "LIVE", true, false, false))));
        String makeLive = Jsoup.parse(activateOnNewer).selectFirst("form[action=/deployments/5009/activate] button").ownText();
        assertThat(rollback).isNotBlank().isNotEqualTo(makeLive);
        assertThat(doc.selectFirst("form[action=/deployments/5001/activate] button .visually-hidden").text())
                .isEqualTo("c5001");
    }

    @EveryThemeAndLanguage
    void projectPageWithoutDeploymentsInvitesTheFirstDeploy(String theme, String lang) {
        Document doc = render(theme, lang, "project", SampleModels.projectPage(true));

        assertThat(doc.select("table")).isEmpty();
        assertThat(doc.select(".empty form[action=/projects/1042/deploy]")).hasSize(1);
    }

    @EveryThemeAndLanguage
    void deploymentPageStreamsTheLogWhileRunning(String theme, String lang) {
        Map<String, Object> model = SampleModels.deploymentPage(false);
        Document doc = render(theme, lang, "deployment", model);

        Element log = doc.getElementById("log");
        assertThat(log.tagName()).isEqualTo("pre");
        assertThat(log.wholeText()).isEqualTo(model.get("log"));
        assertThat(log.children()).isEmpty();
        assertThat(log.attr("data-stream-url")).isEqualTo("/deployments/5003/log/stream");
        assertThat(log.attr("data-finished")).isEqualTo("false");
        assertThat(doc.select("head script[src]")).hasSize(1)
                .first().extracting(s -> s.attr("src")).asString().startsWith("/static/js/live-log.js?v=");

        Element badge = doc.getElementById("status");
        assertThat(badge.attr("data-status")).isEqualTo("BUILDING");
        assertThat(badge.hasClass("badge--building")).isTrue();
        for (String status : STATUSES) {
            assertThat(badge.attr("data-label-" + status.toLowerCase())).as(status).isNotBlank();
        }
        assertThat(badge.text()).isEqualTo(badge.attr("data-label-building"));
        assertThat(doc.select("main a[href=/deployments/5003]")).as("refresh link").isNotEmpty();
        assertThat(postActions(doc)).containsExactlyInAnyOrder("/logout", "/deployments/5003/cancel");
        assertThat(doc.select("a[href=/projects/1042]")).isNotEmpty();
        assertThat(doc.select(".timeline li")).hasSize(3);
        assertThat(doc.select(".alert--error")).isEmpty();
        assertThat(doc.select("main").text()).contains("Fix " + XSS, "Grace " + XSS, "main" + XSS);
    }

    @EveryThemeAndLanguage
    void finishedDeploymentShowsErrorTimelineAndNoRefresh(String theme, String lang) {
        Document doc = render(theme, lang, "deployment", SampleModels.deploymentPage(true));

        assertThat(doc.getElementById("log").attr("data-finished")).isEqualTo("true");
        assertThat(doc.select(".log-section a")).isEmpty();
        assertThat(doc.select(".alert--error[role=alert]").text()).contains("npm exited with 1 " + XSS);
        assertThat(doc.select(".timeline .badge")).hasSize(STATUSES.size())
                .extracting(badge -> badge.attr("data-status")).containsExactlyElementsOf(STATUSES);
        assertThat(doc.select(".timeline .badge")).allSatisfy(badge -> assertThat(badge.text()).isNotBlank());
        assertThat(postActions(doc)).as("a finished deployment can be pinned")
                .containsExactlyInAnyOrder("/logout", "/deployments/5003/pin");
    }

    @EveryThemeAndLanguage
    void pinnedDeploymentSaysSoAndOffersUnpinAndRollback(String theme, String lang) {
        Document doc = render(theme, lang, "deployment", SampleModels.pinnedDeploymentPage());

        assertThat(doc.select(".status-line .tag--pinned").text()).isNotBlank();
        assertThat(doc.select("main [role=note]").text()).isNotBlank();
        assertThat(postActions(doc)).containsExactlyInAnyOrder("/logout", "/deployments/5003/activate",
                "/deployments/5003/unpin");
        assertThat(doc.selectFirst("form[action=/deployments/5003/unpin] button").text())
                .isNotEqualTo(render(theme, lang, "deployment", SampleModels.deploymentPage(true))
                        .selectFirst("form[action=/deployments/5003/pin] button").text());

        Document viewer = render(theme, lang, "deployment",
                SampleModels.withCan(SampleModels.pinnedDeploymentPage(), false, false, false));
        assertThat(postActions(viewer)).containsExactly("/logout");
        assertThat(viewer.select(".status-line .tag--pinned")).hasSize(1);
    }

    @EveryThemeAndLanguage
    void purgedDeploymentShowsItsBadgeWhyItsLogIsEmptyAndNoActions(String theme, String lang) {
        Document doc = render(theme, lang, "deployment", SampleModels.purgedDeploymentPage());

        Element badge = doc.getElementById("status");
        assertThat(badge.hasClass("badge--purged")).isTrue();
        assertThat(badge.text()).isNotBlank().isNotEqualTo("PURGED").isEqualTo(badge.attr("data-label-purged"));
        assertThat(doc.select("main [role=note]").text()).isNotBlank();
        assertThat(doc.getElementById("log").attr("data-empty")).isNotBlank()
                .isNotEqualTo(render(theme, lang, "deployment", SampleModels.deploymentPage(true))
                        .getElementById("log").attr("data-empty"));
        assertThat(postActions(doc)).containsExactly("/logout");
        assertThat(doc.select(".tag--pinned")).isEmpty();
    }

    @EveryThemeAndLanguage
    void projectPageMarksPinnedAndPurgedDeployments(String theme, String lang) {
        Map<String, Object> pinned = SampleModels.deploymentRow(5001, "LIVE", false, true, false);
        pinned.put("pinned", true);
        Document doc = render(theme, lang, "project", SampleModels.with(SampleModels.projectPage(false),
                "deployments", List.of(SampleModels.deploymentRow(5002, "LIVE", true, false, false), pinned,
                        SampleModels.deploymentRow(5000, "PURGED", false, false, false))));

        assertThat(doc.select("tbody tr")).hasSize(3);
        assertThat(doc.select("tbody tr").get(1).select(".tag--pinned").text()).isNotBlank();
        assertThat(doc.select(".tag--pinned")).hasSize(1);
        assertThat(doc.select("tbody tr").get(2).select(".badge--purged").text()).isNotBlank();
        assertThat(postActions(doc)).containsExactlyInAnyOrder("/logout", "/projects/1042/deploy",
                "/deployments/5001/activate");
    }

    @EveryThemeAndLanguage
    void diskPageListsEveryAreaTheCachePartsAndTheFreeSpace(String theme, String lang) {
        Document doc = render(theme, lang, "admin-disk", SampleModels.disk(true));

        assertThat(doc.select("header nav a[href=/admin/disk][aria-current=page]")).hasSize(1);
        assertThat(doc.select("tbody tr")).hasSize(7);
        assertThat(doc.select("tbody tr.is-part")).hasSize(2);
        assertThat(doc.select("tbody tr.is-part").first().text()).contains("build-home" + XSS);
        assertThat(doc.select("tbody tr").first().select("td.num data").attr("value")).isEqualTo("1288490189");
        assertThat(doc.select("tbody tr").first().select("td.num").first().text()).isEqualTo("48213");
        assertThat(doc.select("tbody tr").first().text()).contains("1.2 GiB", "/srv/miaobu/sites" + XSS);
        assertThat(doc.select("tfoot").text()).contains("2.0 GiB");
        Element meter = doc.selectFirst("meter");
        assertThat(meter.attr("max")).isEqualTo("107374182400");
        assertThat(meter.attr("value")).isEqualTo("41553821286");
        assertThat(doc.select("main").text()).contains("61.3 GiB", "100.0 GiB", "39", "/srv/miaobu" + XSS);
        assertThat(doc.select("time[datetime=2026-01-02T03:04:05Z]")).hasSize(1);
        assertThat(doc.select("main [role=note]")).as("the H2 database is measured").isEmpty();
        assertThat(postActions(doc)).containsExactly("/logout");
    }

    @EveryThemeAndLanguage
    void diskPageSaysWhenTheDatabaseIsNotMeasured(String theme, String lang) {
        Document doc = render(theme, lang, "admin-disk", SampleModels.disk(false));

        assertThat(doc.select("tbody tr")).hasSize(6);
        assertThat(doc.select("main [role=note]").text()).isNotBlank();
        Map<String, Object> bare = SampleModels.disk(false);
        bare.remove("retention");
        assertThat(render(theme, lang, "admin-disk", bare).select("#retention-heading")).isEmpty();
    }

    @EveryThemeAndLanguage
    void deploymentPageToleratesAnEmptyLogAndNoTimeline(String theme, String lang) {
        Map<String, Object> model = SampleModels.deploymentPage(false);
        @SuppressWarnings("unchecked")
        Map<String, Object> deployment = (Map<String, Object>) model.get("deployment");
        deployment.put("timeline", List.of());
        deployment.put("duration", "");
        model.put("log", "");
        Document doc = render(theme, lang, "deployment", model);

        assertThat(doc.getElementById("log").wholeText()).isEmpty();
        assertThat(doc.getElementById("log").attr("data-empty")).isNotBlank();
        assertThat(doc.select(".timeline")).isEmpty();
    }

    @EveryThemeAndLanguage
    void settingsPageShowsDetectedValuesAndTheDangerZone(String theme, String lang) {
        Document doc = render(theme, lang, "project-settings", SampleModels.settings(true,
                errors("confirmSlug", "Type " + SLUG + " to confirm")));

        Element form = doc.selectFirst("form[action=/projects/1042/settings]");
        for (String name : List.of("name", "branch", "rootDirectory", "installCommand", "buildCommand",
                "outputDirectory", "spa")) {
            assertThat(form.select("[name=" + name + "]")).as(name).hasSize(1);
        }
        assertThat(form.select("[name=repositoryUrl]")).isEmpty();
        assertThat(form.selectFirst("input[name=installCommand]").attr("placeholder")).isEqualTo("pnpm install --frozen-lockfile");
        assertThat(form.selectFirst("input[name=outputDirectory]").attr("placeholder")).isEqualTo("dist");
        assertThat(doc.getElementById("field-buildCommand-hint").text()).contains("pnpm run build");
        assertThat(form.selectFirst("input[name=branch]").attr("value")).isEqualTo("main" + ATTR_XSS);
        assertThat(form.selectFirst("input[name=spa]").hasAttr("checked")).isFalse();
        assertThat(doc.select(".callout").text()).contains("Vite", "pnpm");

        Element delete = doc.selectFirst("form[action=/projects/1042/delete]");
        assertThat(delete.select("input[name=confirmSlug]")).hasSize(1);
        assertThat(delete.select("code").text()).isEqualTo(SLUG);
        assertThat(delete.selectFirst("input[name=confirmSlug]").attr("aria-invalid")).isEqualTo("true");
    }

    @EveryThemeAndLanguage
    void settingsPageWithoutDetectionStillExplainsBlankFields(String theme, String lang) {
        Document doc = render(theme, lang, "project-settings", SampleModels.settings(false, errors()));

        assertThat(doc.select(".callout")).isEmpty();
        assertThat(doc.selectFirst("input[name=installCommand]").hasAttr("placeholder")).isFalse();
        assertThat(doc.getElementById("field-installCommand-hint").text()).isNotBlank();
    }

    @EveryThemeAndLanguage
    void pluginsPageListsEveryPluginWithWhatCanBeDoneToIt(String theme, String lang) {
        Document doc = render(theme, lang, "plugins", SampleModels.plugins(false));

        assertThat(doc.select("tbody tr")).hasSize(SampleModels.PLUGIN_STATES.size() + 1);
        assertThat(doc.select("tbody").text()).contains("Generic git " + XSS, "Git " + XSS, "Boom " + XSS,
                "SourceProvider", "SOMETHING_NEW", "base" + XSS, "child" + XSS, "Shop " + XSS, "builder odd");
        assertThat(doc.select("header nav a[href=/plugins][aria-current=page]")).hasSize(1);
        // the upload is multipart; the CSRF check does not read multipart bodies, so the token also rides the URL
        assertThat(doc.select("form[enctype=multipart/form-data]")).singleElement().satisfies(form -> {
            assertThat(form.attr("action")).isEqualTo("/plugins/upload?csrf=" + SampleModels.CSRF);
            assertThat(form.select("input[type=file][name=file]")).hasSize(1);
        });
        assertThat(postActions(doc)).contains("/plugins/git-started/disable", "/plugins/git-disabled/enable",
                "/plugins/git-failed/enable", "/plugins/git-failed/disable", "/plugins/odd/uninstall");
        assertThat(postActions(doc)).doesNotContain("/plugins/git-started/enable", "/plugins/git-disabled/disable");
        assertThat(doc.select("input[name=withDependents]")).as("only the plugin others need offers them")
                .hasSize(2);
        assertThat(doc.select("a[href=/plugins/update-site]")).hasSize(1);
    }

    @EveryThemeAndLanguage
    void pluginsPageShowsWhyAnInstallWasRefused(String theme, String lang) {
        Document doc = render(theme, lang, "plugins", SampleModels.plugins(false,
                Map.of("file", "Not a zip " + XSS, "_form", "Needed by child " + XSS)));

        assertThat(doc.getElementById("field-file-error").text()).isEqualTo("Not a zip " + XSS);
        assertThat(doc.getElementById("field-file").attr("aria-invalid")).isEqualTo("true");
        assertThat(doc.select(".alert--error").text()).contains("Needed by child " + XSS);
    }

    @EveryThemeAndLanguage
    void updateSitePageOffersWhatCanBeInstalledAndSaysWhyNot(String theme, String lang) {
        Document doc = render(theme, lang, "plugin-update-site", SampleModels.pluginUpdateSite(true, ""));

        assertThat(postActions(doc)).contains("/plugins/update-site/hello/install");
        assertThat(doc.select("form[action=/plugins/update-site/hello/install] input[name=version]"))
                .extracting(input -> input.attr("value")).containsExactly("1.1.0");
        assertThat(doc.select("main").text()).contains("Hello " + XSS, "Needs Miaobu >=9.0.0 " + XSS);
        assertThat(doc.select("header nav a[href=/plugins][aria-current=page]")).hasSize(1);

        Document broken = render(theme, lang, "plugin-update-site",
                SampleModels.pluginUpdateSite(true, "Not signed by the key " + XSS));
        assertThat(broken.select(".alert--error").text()).contains("Not signed by the key " + XSS);
        assertThat(broken.select("table")).isEmpty();

        Document none = render(theme, lang, "plugin-update-site", SampleModels.pluginUpdateSite(false, ""));
        assertThat(none.select(".empty").text()).contains("plugins.update-site");
    }

    @EveryThemeAndLanguage
    void pluginsPageHasAnEmptyState(String theme, String lang) {
        Document doc = render(theme, lang, "plugins", SampleModels.plugins(true));

        assertThat(doc.select("table")).isEmpty();
        assertThat(doc.select(".empty").text()).isNotBlank();
    }

    @EveryThemeAndLanguage
    void everyPageRendersWithItsSampleModel(String theme, String lang) {
        for (Map.Entry<String, Map<String, Object>> page : SampleModels.everyPage().entrySet()) {
            Document doc = render(theme, lang, page.getKey(), page.getValue());
            assertThat(doc.select("main").text()).as(page.getKey()).isNotBlank();
        }
    }

    @EveryThemeAndLanguage
    void navigationOffersAccountToEveryoneAndAdminPagesToAdmins(String theme, String lang) {
        Document admin = render(theme, lang, "account", SampleModels.account(false, errors()));
        assertThat(admin.select("header nav a[href=/account][aria-current=page]")).hasSize(1);
        assertThat(admin.select("header nav a[href=/admin/users]")).hasSize(1);
        assertThat(admin.select("header nav a[href=/admin/audit]")).hasSize(1);
        assertThat(admin.select("header nav a[href=/admin/disk]")).hasSize(1);

        Document user = render(theme, lang, "dashboard",
                SampleModels.with(SampleModels.common(true, false, true, false), "projects", List.of()));
        assertThat(user.select("header nav a[href=/account]")).hasSize(1);
        assertThat(user.select("a[href=/admin/users], a[href=/admin/audit], a[href=/admin/disk]")).isEmpty();

        Document users = render(theme, lang, "admin-users", SampleModels.adminUsers(errors()));
        assertThat(users.select("header nav a[href=/admin/users][aria-current=page]")).hasSize(1);
        Document audit = render(theme, lang, "admin-audit", SampleModels.audit(false, "", ""));
        assertThat(audit.select("header nav a[href=/admin/audit][aria-current=page]")).hasSize(1);
    }

    @EveryThemeAndLanguage
    void accountPageListsSessionsAndTokensWithTheirForms(String theme, String lang) {
        Document doc = render(theme, lang, "account", SampleModels.account(false, errors()));

        assertThat(postActions(doc)).containsExactlyInAnyOrder("/logout", "/account/sessions/end-others",
                "/account/sessions/sess-phone/end", "/account/sessions/sess-unknown/end", "/account/tokens/3001/revoke",
                "/account/tokens", "/account/password");
        assertThat(doc.select("main").text()).contains("ada" + XSS, "Firefox " + XSS, "Safari " + ATTR_XSS,
                "198.51.100.2" + XSS, "CI " + XSS, "Old laptop " + ATTR_XSS, "mbt_AbCd1234", "read, deploy");
        assertThat(doc.select("tr.is-current")).hasSize(1);
        assertThat(doc.select("tr.is-current form")).isEmpty();
        assertThat(doc.select("form[action=/account/tokens/3001/revoke] .visually-hidden").text()).isEqualTo("CI " + XSS);
        assertThat(doc.select("time[datetime=2026-01-01T09:00:00Z]")).hasSize(1);

        Element create = doc.selectFirst("form[action=/account/tokens]");
        Element name = create.selectFirst("input[name=name]");
        assertThat(name.attr("value")).isEqualTo("Deploy bot" + ATTR_XSS);
        assertThat(name.attr("maxlength")).isEqualTo("100");
        assertThat(create.select("input[type=checkbox][name=scope]")).extracting(input -> input.attr("value"))
                .containsExactly("read", "deploy", "admin");
        assertThat(create.select("fieldset legend")).hasSize(1);
        assertThat(create.select("select[name=expiresInDays] option")).extracting(option -> option.attr("value"))
                .containsExactly("", "7", "30", "90", "365");
        assertThat(create.select("select[name=expiresInDays] option[selected]")).hasSize(1);

        Element password = doc.selectFirst("form[action=/account/password]");
        assertThat(password.selectFirst("input[name=currentPassword]").attr("autocomplete")).isEqualTo("current-password");
        assertThat(password.select("input[type=password][autocomplete=new-password]"))
                .extracting(input -> input.attr("name")).containsExactly("password", "passwordConfirm");
        assertThat(password.select("input[value]")).extracting(input -> input.attr("name")).containsExactly("csrf");
    }

    @EveryThemeAndLanguage
    void accountPageShowsANewTokenOnceAndOnlyRightAfterCreatingIt(String theme, String lang) {
        Map<String, Object> model = SampleModels.account(true, errors());
        String html = RENDERERS.computeIfAbsent(theme, ThemeRenderer::new).render("account", lang, model);
        Document doc = render(theme, lang, "account", model);

        assertThat(html.split(SampleModels.NEW_TOKEN, -1)).as("occurrences of the secret").hasSize(2);
        Element box = doc.selectFirst(".callout--highlight");
        assertThat(box.selectFirst("input#new-token").attr("value")).isEqualTo(SampleModels.NEW_TOKEN);
        assertThat(box.selectFirst("input#new-token").hasAttr("readonly")).isTrue();
        assertThat(box.selectFirst("input#new-token").closest("form")).isNull();
        assertThat(box.selectFirst("h2").text()).contains("CI " + XSS);
        assertThat(box.select("p").text()).isNotBlank();

        String without = RENDERERS.get(theme).render("account", lang, SampleModels.account(false, errors()));
        assertThat(without).doesNotContain(SampleModels.NEW_TOKEN);
        assertThat(Jsoup.parse(without).select(".callout--highlight, #new-token")).isEmpty();
    }

    @EveryThemeAndLanguage
    void accountPageShowsErrorsAndOffersTheAdminScopeOnlyToAdmins(String theme, String lang) {
        Map<String, Object> model = SampleModels.with(SampleModels.account(false,
                errors("name", "Name taken " + XSS, "currentPassword", "Wrong password")),
                "currentUser", SampleModels.map("username", "ada" + XSS, "admin", false));
        Document doc = render(theme, lang, "account", model);

        assertThat(doc.select(".alert--error a[href=#field-name]")).hasSize(1);
        assertThat(doc.getElementById("field-name-error").text()).isEqualTo("Name taken " + XSS);
        assertThat(doc.getElementById("field-currentPassword").attr("aria-invalid")).isEqualTo("true");
        assertThat(doc.select("input[name=scope]")).extracting(input -> input.attr("value"))
                .containsExactly("read", "deploy");
    }

    @EveryThemeAndLanguage
    void usersPageOffersEveryActionButNotAgainstYourself(String theme, String lang) {
        Document doc = render(theme, lang, "admin-users", SampleModels.adminUsers(errors()));

        assertThat(postActions(doc)).containsExactlyInAnyOrder("/logout", "/admin/users",
                "/admin/users/1001/password",
                "/admin/users/1002/role", "/admin/users/1002/unlock", "/admin/users/1002/lock",
                "/admin/users/1002/password", "/admin/users/1002/delete",
                "/admin/users/1003/role", "/admin/users/1003/unlock", "/admin/users/1003/lock",
                "/admin/users/1003/password", "/admin/users/1003/delete",
                "/admin/users/1004/role", "/admin/users/1004/lock", "/admin/users/1004/password",
                "/admin/users/1004/delete");
        assertThat(doc.select("tbody tr")).hasSize(4);
        assertThat(doc.select("tbody details summary")).hasSize(4);
        assertThat(doc.select("tbody").text()).contains("grace" + XSS, "linus" + ATTR_XSS, "in 14 minutes " + XSS);
        assertThat(doc.select("form[action=/admin/users/1002/role] select[name=role] option[selected]").val())
                .isEqualTo("user");
        assertThat(doc.selectFirst("form[action=/admin/users/1002/lock] input[name=minutes]").attr("type"))
                .isEqualTo("number");
        assertThat(doc.selectFirst("form[action=/admin/users/1002/password] input[name=password]").attr("autocomplete"))
                .isEqualTo("new-password");
        Element delete = doc.selectFirst("form[action=/admin/users/1003/delete]");
        assertThat(delete.select("input[name=confirmUsername]")).hasSize(1);
        assertThat(delete.select("code").text()).isEqualTo("linus" + ATTR_XSS);

        Element add = doc.selectFirst("form[action=/admin/users]");
        assertThat(add.selectFirst("input[name=username]").attr("value")).isEqualTo("newbie" + ATTR_XSS);
        assertThat(add.select("input[name=password]").attr("type")).isEqualTo("password");
        assertThat(add.select("select[name=role] option[selected]").val()).isEqualTo("admin");
    }

    @EveryThemeAndLanguage
    void usersPageShowsFormErrorsBesideTheAddForm(String theme, String lang) {
        Document doc = render(theme, lang, "admin-users", SampleModels.adminUsers(
                errors("_form", "Cannot delete the last admin " + XSS, "username", "Taken " + XSS)));

        assertThat(doc.select(".alert--error").text()).contains("Cannot delete the last admin " + XSS, "Taken " + XSS);
        assertThat(doc.select("form[action=/admin/users] #field-username-error").text()).isEqualTo("Taken " + XSS);
        assertThat(doc.select("tbody [aria-invalid]")).isEmpty();
    }

    @EveryThemeAndLanguage
    void auditPageFiltersWithAGetFormAndPagesBackwards(String theme, String lang) {
        Document doc = render(theme, lang, "admin-audit",
                SampleModels.audit(false, "auth.sign_in_failed", "grace" + ATTR_XSS));

        Element filter = doc.selectFirst("main form");
        assertThat(filter.attr("method")).isEqualTo("get");
        assertThat(filter.attr("action")).isEqualTo("/admin/audit");
        assertThat(filter.select("select[name=action] option")).extracting(option -> option.attr("value"))
                .containsExactly("", "auth.sign_in", "auth.sign_in_failed", "project.deleted", "user.created",
                        "user.locked");
        assertThat(filter.select("select[name=action] option[selected]").val()).isEqualTo("auth.sign_in_failed");
        assertThat(filter.selectFirst("input[name=actor]").attr("value")).isEqualTo("grace" + ATTR_XSS);
        assertThat(filter.select("a[href=/admin/audit]")).hasSize(1);
        assertThat(postActions(doc)).containsExactly("/logout");

        assertThat(doc.select("tbody tr")).hasSize(3);
        Element anonymous = doc.select("tbody tr").first();
        assertThat(anonymous.selectFirst("td[data-label]").select("time").attr("datetime")).isEqualTo("2026-01-02T03:04:05Z");
        assertThat(anonymous.select("td").get(1).text()).startsWith("\u2014");
        assertThat(doc.select("tbody").text()).contains("bad password " + XSS, "user " + XSS, "ada" + XSS,
                "user.locked" + XSS, "shop" + ATTR_XSS, "auth.sign_in_failed");
        assertThat(doc.select(".pager a").attr("href")).isEqualTo("/admin/audit?before=9001&action=auth.sign_in_failed");
    }

    @EveryThemeAndLanguage
    void auditPageWithoutEventsSaysSo(String theme, String lang) {
        Document doc = render(theme, lang, "admin-audit", SampleModels.audit(true, "", ""));

        assertThat(doc.select("table, .pager")).isEmpty();
        assertThat(doc.select(".empty").text()).isNotBlank();
        assertThat(doc.select("select[name=action] option[selected]").val()).isEmpty();
        assertThat(doc.select("main form a")).as("no clear-filter link without a filter").isEmpty();
    }

    @EveryThemeAndLanguage
    void membersPageLetsOwnersManageMembers(String theme, String lang) {
        Document doc = render(theme, lang, "project-members", SampleModels.projectMembers(true, errors()));

        assertThat(postActions(doc)).containsExactlyInAnyOrder("/logout", "/projects/1042/members",
                "/projects/1042/members/1001/role", "/projects/1042/members/1001/remove",
                "/projects/1042/members/1002/role", "/projects/1042/members/1002/remove",
                "/projects/1042/members/1004/role", "/projects/1042/members/1004/remove");
        assertThat(doc.select("form[action=/projects/1042/members/1002/role] option[selected]").val())
                .isEqualTo("maintainer");
        assertThat(doc.select("tbody").text()).contains("ada" + XSS, "grace" + ATTR_XSS, "margaret" + XSS);
        assertThat(doc.select("dl.roles dt")).hasSize(3);
        Element invite = doc.selectFirst("form[action=/projects/1042/members]");
        assertThat(invite.selectFirst("input[name=username]").attr("value")).isEqualTo("linus" + ATTR_XSS);
        assertThat(invite.select("select[name=role] option")).extracting(option -> option.attr("value"))
                .containsExactly("viewer", "maintainer", "owner");
        assertThat(invite.select("select[name=role] option[selected]").val()).isEqualTo("maintainer");
        assertThat(doc.select(".subnav a[href=/projects/1042/members][aria-current=page]")).hasSize(1);
    }

    @EveryThemeAndLanguage
    void membersPageIsReadOnlyForThoseWhoCannotManage(String theme, String lang) {
        Document doc = render(theme, lang, "project-members", SampleModels.projectMembers(false, errors()));

        assertThat(postActions(doc)).containsExactly("/logout");
        assertThat(doc.select("main select, main input, main button")).isEmpty();
        assertThat(doc.select("tbody tr")).hasSize(3);
        assertThat(doc.select("thead th")).hasSize(3);
    }

    @EveryThemeAndLanguage
    void variablesPageNeverShowsASecretValue(String theme, String lang) {
        Map<String, Object> model = SampleModels.projectVariables(true, errors());
        String html = RENDERERS.computeIfAbsent(theme, ThemeRenderer::new).render("project-variables", lang, model);
        Document doc = render(theme, lang, "project-variables", model);

        assertThat(html).doesNotContain(SampleModels.SECRET_VALUE);
        Elements rows = doc.select("tbody tr");
        assertThat(rows).hasSize(4);
        assertThat(rows.get(0).text()).contains("API_URL" + XSS, "https://api.example.test/?q=" + ATTR_XSS);
        assertThat(rows.get(0).select(".masked")).isEmpty();
        for (Element secret : List.of(rows.get(1), rows.get(2))) {
            assertThat(secret.select(".masked").text()).isEqualTo("\u2022\u2022\u2022\u2022");
            assertThat(secret.select(".masked").attr("aria-hidden")).isEqualTo("true");
        }
        assertThat(doc.select("main").text()).contains("STRIPE_KEY" + ATTR_XSS);
        assertThat(doc.select("table + p.muted, .table-wrap + p.muted").text()).as("note on secrets").isNotBlank();

        Element delete = doc.select("form[action=/projects/1042/variables/delete]").get(1);
        assertThat(delete.selectFirst("input[type=hidden][name=name]").attr("value")).isEqualTo("STRIPE_KEY" + ATTR_XSS);
        assertThat(delete.selectFirst("input[type=hidden][name=environment]").attr("value")).isEqualTo("production");
        assertThat(doc.select("form[action=/projects/1042/variables/delete]")).hasSize(4);

        Element set = doc.selectFirst("form[action=/projects/1042/variables]");
        assertThat(set.selectFirst("input[name=name]").attr("value")).isEqualTo("NEW_VAR" + ATTR_XSS);
        assertThat(set.selectFirst("input[name=name]").attr("pattern")).isNotBlank();
        assertThat(set.select("select[name=environment] option")).extracting(option -> option.attr("value"))
                .containsExactly("production", "preview");
        assertThat(set.select("select[name=environment] option[selected]").val()).isEqualTo("preview");
        assertThat(set.selectFirst("textarea[name=value]").wholeText()).isEmpty();
        assertThat(set.selectFirst("input[name=secret]").hasAttr("checked")).isTrue();
    }

    @EveryThemeAndLanguage
    void variablesPageIsReadOnlyWithoutEditRights(String theme, String lang) {
        Document doc = render(theme, lang, "project-variables", SampleModels.projectVariables(false, errors()));

        assertThat(postActions(doc)).containsExactly("/logout");
        assertThat(doc.select("main textarea, main input, main button")).isEmpty();
        assertThat(doc.select("tbody tr")).hasSize(4);
        assertThat(doc.outerHtml()).doesNotContain(SampleModels.SECRET_VALUE);
    }

    @EveryThemeAndLanguage
    void extensionSettingsNeverRenderASecretValue(String theme, String lang) {
        Map<String, Object> model = SampleModels.extensionSettings(errors("token", "Rejected by GitLab " + XSS));
        String html = RENDERERS.computeIfAbsent(theme, ThemeRenderer::new).render("extension-settings", lang, model);
        Document doc = render(theme, lang, "extension-settings", model);

        assertThat(html).doesNotContain(SampleModels.SECRET_VALUE);
        Element form = doc.selectFirst("form[action=/admin/extensions/source/gitlab/settings]");
        assertThat(form).isNotNull();
        Element token = form.selectFirst("input[name=token]");
        assertThat(token.attr("type")).isEqualTo("password");
        assertThat(token.hasAttr("value")).isFalse();
        assertThat(token.attr("autocomplete")).isEqualTo("new-password");
        assertThat(token.hasAttr("required")).as("a stored secret may be left blank").isFalse();
        assertThat(doc.getElementById("field-token-error").text()).isEqualTo("Rejected by GitLab " + XSS);
        assertThat(doc.select(".alert--error a[href=#field-token]")).hasSize(1);
    }

    @EveryThemeAndLanguage
    void extensionSettingsRenderEachFieldTypeAndTheSecretState(String theme, String lang) {
        Document doc = render(theme, lang, "extension-settings", SampleModels.extensionSettings(errors()));
        Element form = doc.selectFirst("form[action=/admin/extensions/source/gitlab/settings]");

        assertThat(form.selectFirst("input[name=baseUrl]").attr("type")).isEqualTo("url");
        assertThat(form.selectFirst("input[name=baseUrl]").attr("value")).isEqualTo("https://gitlab.example.test/" + ATTR_XSS);
        assertThat(form.selectFirst("input[name=baseUrl]").hasAttr("required")).isTrue();
        assertThat(form.selectFirst("input[name=verifyTls]").attr("type")).isEqualTo("checkbox");
        assertThat(form.selectFirst("input[name=verifyTls]").hasAttr("checked")).isTrue();
        assertThat(form.selectFirst("input[name=timeoutSeconds]").attr("type")).isEqualTo("number");
        assertThat(form.selectFirst("input[name=timeoutSeconds]").attr("value")).isEqualTo("30");
        assertThat(form.select("select[name=visibility] option")).extracting(option -> option.attr("value"))
                .containsExactly("", "private", "internal", "public" + XSS);
        assertThat(form.select("select[name=visibility] option[selected]").val()).isEqualTo("internal");
        assertThat(form.selectFirst("input[name=group]").attr("value")).isEqualTo("team" + ATTR_XSS);
        assertThat(form.selectFirst("input[name=colour]").attr("type")).isEqualTo("text");

        Element stored = form.selectFirst("input[name=token]");
        Element missing = form.selectFirst("input[name=webhookSecret]");
        assertThat(List.of(stored, missing)).allSatisfy(input -> {
            assertThat(input.attr("type")).isEqualTo("password");
            assertThat(input.hasAttr("value")).isFalse();
        });
        assertThat(stored.hasAttr("required")).isFalse();
        assertThat(missing.hasAttr("required")).isTrue();
        assertThat(form.select("input[type=checkbox][name=clear.token]")).hasSize(1);
        assertThat(form.select("input[name=clear.webhookSecret]")).isEmpty();
        String storedTag = doc.selectFirst("label[for=field-token] .tag").text();
        String missingTag = doc.selectFirst("label[for=field-webhookSecret] .tag").text();
        assertThat(storedTag).isNotBlank().isNotEqualTo(missingTag);
        assertThat(doc.getElementById("field-token-hint").text()).contains("token help " + XSS);
        assertThat(doc.select("main").text()).contains("GitLab " + XSS, "baseUrl label " + XSS);
        assertThat(doc.select("header nav a[href=/plugins][aria-current=page]")).hasSize(1);
    }

    @EveryThemeAndLanguage
    void pluginsPageLinksEachExtensionToItsSettings(String theme, String lang) {
        Document doc = render(theme, lang, "plugins", SampleModels.plugins(false));

        assertThat(doc.select("a[href=/admin/extensions/SourceProvider/git/settings]"))
                .hasSize(SampleModels.PLUGIN_STATES.size())
                .allSatisfy(link -> assertThat(link.select(".visually-hidden").text()).isEqualTo("Git " + XSS));
    }

    @EveryThemeAndLanguage
    void projectPagesLinkToMembersAndVariables(String theme, String lang) {
        for (String page : List.of("project", "project-settings")) {
            Map<String, Object> model = page.equals("project") ? SampleModels.projectPage(false)
                    : SampleModels.settings(false, errors());
            Document doc = render(theme, lang, page, model);
            assertThat(doc.select("a[href=/projects/1042/members]")).as(page).hasSize(1);
            assertThat(doc.select("a[href=/projects/1042/variables]")).as(page).hasSize(1);
            assertThat(doc.select(".subnav a[aria-current=page]")).as(page).hasSize(1);
        }
    }

    @EveryThemeAndLanguage
    void projectPageHidesDeployActionsFromViewers(String theme, String lang) {
        Document viewer = render(theme, lang, "project",
                SampleModels.withCan(SampleModels.projectPage(false), false, false, false));
        assertThat(postActions(viewer)).containsExactly("/logout");
        assertThat(viewer.select("tbody tr")).hasSize(4);

        Document emptyViewer = render(theme, lang, "project",
                SampleModels.withCan(SampleModels.projectPage(true), false, false, false));
        assertThat(emptyViewer.select("form[action=/projects/1042/deploy]")).isEmpty();

        Document maintainer = render(theme, lang, "project",
                SampleModels.withCan(SampleModels.projectPage(false), true, true, false));
        assertThat(postActions(maintainer)).containsExactlyInAnyOrder("/logout", "/projects/1042/deploy",
                "/deployments/5001/activate", "/deployments/5003/cancel");
    }

    @EveryThemeAndLanguage
    void deploymentPageHidesCancelAndActivateFromViewers(String theme, String lang) {
        Document viewer = render(theme, lang, "deployment",
                SampleModels.withCan(SampleModels.deploymentPage(false), false, false, false));
        assertThat(postActions(viewer)).containsExactly("/logout");

        Document deployer = render(theme, lang, "deployment",
                SampleModels.withCan(SampleModels.deploymentPage(false), true, false, false));
        assertThat(postActions(deployer)).containsExactlyInAnyOrder("/logout", "/deployments/5003/cancel");
    }

    @EveryThemeAndLanguage
    void settingsPageOffersSavingAndDeletingOnlyToThoseAllowed(String theme, String lang) {
        Document viewer = render(theme, lang, "project-settings",
                SampleModels.withCan(SampleModels.settings(true, errors()), false, false, false));
        assertThat(viewer.select("form[action=/projects/1042/settings] button")).isEmpty();
        assertThat(viewer.select("form[action=/projects/1042/settings] fieldset[disabled]")).hasSize(2);
        assertThat(viewer.select("form[action=/projects/1042/delete], .danger-zone")).isEmpty();
        assertThat(viewer.select("main [role=note]").text()).isNotBlank();

        Document maintainer = render(theme, lang, "project-settings",
                SampleModels.withCan(SampleModels.settings(true, errors()), true, true, false));
        assertThat(maintainer.select("form[action=/projects/1042/settings] button[type=submit]")).hasSize(1);
        assertThat(maintainer.select("fieldset[disabled], main [role=note]")).isEmpty();
        assertThat(maintainer.select("form[action=/projects/1042/delete]")).isEmpty();

        Document owner = render(theme, lang, "project-settings",
                SampleModels.withCan(SampleModels.settings(true, errors()), true, true, true));
        assertThat(postActions(owner)).containsExactlyInAnyOrder("/logout", "/projects/1042/settings",
                "/projects/1042/build-limits", "/projects/1042/dependency-cache/clear",
                "/projects/1042/preview-settings", "/projects/1042/delete");
        assertThat(viewer.select("form[action=/projects/1042/preview-settings] button")).isEmpty();
        assertThat(viewer.select("form[action=/projects/1042/preview-settings] fieldset[disabled]")).hasSize(1);
        assertThat(maintainer.select("form[action=/projects/1042/preview-settings] input[type=checkbox]"))
                .extracting(e -> e.attr("name") + "=" + e.hasAttr("checked"))
                .containsExactly("pullRequestPreviews=true", "branchPreviews=false", "forkPreviews=false");
        assertThat(viewer.select("form[action=/projects/1042/build-limits] button")).isEmpty();
        assertThat(maintainer.select("form[action=/projects/1042/build-limits] button[type=submit]")).hasSize(1);
        Document legacy = render(theme, lang, "project-settings", SampleModels.settings(true, errors()));
        assertThat(postActions(legacy)).isEqualTo(postActions(owner));
    }

    @EveryThemeAndLanguage
    void deploymentPageShowsPublishingProgressWhileItUploadsAndTheUploadedShareAfterwards(String theme,
                                                                                        String lang) {
        Document uploading = render(theme, lang, "deployment", SampleModels.uploadingDeploymentPage(true));
        var progress = uploading.getElementById("upload-progress");
        assertThat(progress).isNotNull();
        assertThat(progress.hasAttr("hidden")).isFalse();
        assertThat(progress.attr("data-progress-url")).isEqualTo("/api/v1/deployments/5003");
        assertThat(progress.select("progress").attr("max")).isEqualTo("3400000");
        assertThat(progress.select("progress").attr("value")).isEqualTo("1200000");
        assertThat(progress.select(".upload__text").text()).contains("120", "300", "1.1 MB", "3.2 MB");

        Document building = render(theme, lang, "deployment", SampleModels.deploymentPage(false));
        assertThat(building.getElementById("upload-progress").hasAttr("hidden")).isTrue();

        Document published = render(theme, lang, "deployment", SampleModels.uploadingDeploymentPage(false));
        assertThat(published.getElementById("upload-progress")).isNull();
        assertThat(published.text()).contains("300", "3.2 MB", "12.0 KB");
    }

    @EveryThemeAndLanguage
    void projectExtensionSettingsRenderAFormFromTheSchemaWithoutASecretValue(String theme, String lang) {
        Map<String, Object> model = SampleModels.projectExtensionSettings(errors("baseUrl",
                "Base URL must be an absolute http or https URL " + XSS));
        String html = RENDERERS.computeIfAbsent(theme, ThemeRenderer::new).render("project-extension-settings", lang,
                model);
        Document doc = render(theme, lang, "project-extension-settings", model);

        assertThat(html).doesNotContain(SampleModels.SECRET_VALUE);
        Element form = doc.selectFirst("form[method=post][action=/projects/1042/extensions/Builder/hugo]");
        assertThat(form).isNotNull();
        assertThat(form.select("input[name=csrf]").val()).isEqualTo(CSRF);
        assertThat(form.select("select[name=environment] option")).extracting(option -> option.attr("value"))
                .containsExactly("production", "staging" + XSS);
        assertThat(form.selectFirst("input[name=baseUrl]").attr("value")).isEqualTo("https://example.test/" + ATTR_XSS);
        assertThat(form.selectFirst("input[name=drafts]").hasAttr("checked")).isTrue();
        Element stored = form.selectFirst("input[name=apiKey]");
        Element missing = form.selectFirst("input[name=signingKey]");
        assertThat(List.of(stored, missing)).allSatisfy(input -> {
            assertThat(input.attr("type")).isEqualTo("password");
            assertThat(input.hasAttr("value")).isFalse();
        });
        assertThat(stored.hasAttr("required")).as("a stored secret may be left blank").isFalse();
        assertThat(form.select("input[type=checkbox][name=clear.apiKey]")).hasSize(1);
        assertThat(form.select("input[name=clear.signingKey]")).isEmpty();
        assertThat(doc.getElementById("field-baseUrl-error").text())
                .isEqualTo("Base URL must be an absolute http or https URL " + XSS);
        assertThat(doc.select(".alert--error a[href=#field-baseUrl]")).hasSize(1);
        assertThat(doc.select("h1").text()).contains("Hugo " + XSS);
    }

    @EveryThemeAndLanguage
    void projectExtensionSettingsAreReadOnlyForAViewer(String theme, String lang) {
        Map<String, Object> model = SampleModels.withCan(SampleModels.projectExtensionSettings(errors()), false, false,
                false);
        String html = RENDERERS.computeIfAbsent(theme, ThemeRenderer::new).render("project-extension-settings", lang,
                model);
        Document doc = render(theme, lang, "project-extension-settings", model);

        assertThat(html).doesNotContain(SampleModels.SECRET_VALUE);
        assertThat(postActions(doc)).containsExactly("/logout");
        assertThat(doc.select("main input, main select, main textarea")).isEmpty();
        assertThat(doc.select("main [role=note]").text()).isNotBlank();
        assertThat(doc.select("main .facts dd").eachText()).contains("production", "https://example.test/" + ATTR_XSS);
    }

    @EveryThemeAndLanguage
    void settingsPageListsTheExtensionSettingsOfTheProjectWithLinksToTheirPages(String theme, String lang) {
        Map<String, Object> model = SampleModels.settings(true, errors());
        String html = RENDERERS.computeIfAbsent(theme, ThemeRenderer::new).render("project-settings", lang, model);
        Document doc = render(theme, lang, "project-settings", model);

        assertThat(html).doesNotContain(SampleModels.SECRET_VALUE);
        var section = doc.select("section[aria-labelledby=extension-settings-heading]");
        assertThat(section.select("h3")).extracting(Element::ownText).containsExactly("Hugo " + XSS, "Object storage");
        assertThat(section.select("a[href=/projects/1042/extensions/Builder/hugo]")).hasSize(1);
        assertThat(section.select("a[href=/projects/1042/extensions/DeployTarget/oss]")).hasSize(1);
        assertThat(section.select(".facts dd").eachText()).contains("site" + XSS);
        assertThat(section.select("form")).isEmpty();

        Map<String, Object> without = SampleModels.settings(true, errors());
        without.remove("extensionSettings");
        assertThat(render(theme, lang, "project-settings", without)
                .select("section[aria-labelledby=extension-settings-heading]")).isEmpty();
    }

    @EveryThemeAndLanguage
    void extensionSettingsShowTheConnectionTestAndWhichCheckFailed(String theme, String lang) {
        Document doc = render(theme, lang, "extension-settings", SampleModels.extensionSettings(Map.of()));

        var section = doc.select("section[aria-labelledby=connection-test-heading]");
        assertThat(section.select("form[method=post][action=/admin/extensions/source/gitlab/check] input[name=csrf]"))
                .hasSize(1);
        assertThat(section.select("li.check--passed")).hasSize(1);
        assertThat(section.select("li.check--failed").text()).contains("Write objects below miaobu/" + XSS,
                "AccessDenied " + ATTR_XSS);
        assertThat(section.select(".alert--error")).hasSize(1);
    }

    @EveryThemeAndLanguage
    void projectPageListsPreviewsWithTheirLinks(String theme, String lang) {
        Document doc = render(theme, lang, "project", SampleModels.projectPageWithPreviews());

        var rows = doc.select("section[aria-labelledby=previews-heading] tbody tr");
        assertThat(rows).hasSize(2);
        assertThat(rows.get(0).select("a[href=https://42--shop.sites.example.test/]")).hasSize(1);
        assertThat(rows.get(0).select("a[href=/deployments/5010]").text()).isEqualTo("abc1234");
        assertThat(rows.get(0).text()).contains("#42", "fix/" + XSS);
        assertThat(rows.get(0).select(".badge--live")).hasSize(1);
        assertThat(rows.get(1).select("a[href^=https]")).isEmpty();
        assertThat(rows.get(1).text()).contains("feature-x" + XSS);
        assertThat(rows.get(0).select("form[method=post][action=/projects/" + SampleModels.PROJECT_ID
                + "/previews/71/remove] input[name=csrf]")).hasSize(1);
        var viewer = SampleModels.with(SampleModels.projectPageWithPreviews(), "can",
                SampleModels.map("deploy", false, "configure", false, "own", false));
        assertThat(render(theme, lang, "project", viewer).select("form[action$=/remove]")).isEmpty();
        assertThat(render(theme, lang, "project", SampleModels.projectPage(false))
                .select("section[aria-labelledby=previews-heading]")).isEmpty();
    }

    @EveryThemeAndLanguage
    void errorPageRendersForAnonymousVisitors(String theme, String lang) {
        Document doc = render(theme, lang, "error", SampleModels.error(404, "No project " + XSS, false));

        assertThat(doc.select(".error-page__code").text()).isEqualTo("404");
        assertThat(doc.select("main").text()).contains("No project " + XSS);
        assertThat(doc.select("main a[href=/]")).hasSize(1);
        assertThat(doc.select("header a[href=/login]")).hasSize(1);
    }

    @EveryThemeAndLanguage
    void errorPageCopesWithUnknownAndMissingStatus(String theme, String lang) {
        Document teapot = render(theme, lang, "error", SampleModels.error(1418, "", true));
        assertThat(teapot.select(".error-page__code").text()).isEqualTo("1418");

        Map<String, Object> bare = SampleModels.error(null, null, false);
        Document doc = render(theme, lang, "error", bare);
        assertThat(doc.select(".error-page__code").text()).isEqualTo("500");
        assertThat(doc.select("main p.lead")).isEmpty();
    }

    @Test
    void errorPageHasAHeadingForEveryKnownStatus() {
        ThemeRenderer renderer = RENDERERS.computeIfAbsent("base", ThemeRenderer::new);
        Set<String> headings = new HashSet<>();
        for (int code : new int[] {400, 401, 403, 404, 405, 409, 413, 429, 500, 503}) {
            String html = renderer.render("error", "en", SampleModels.error(code, "", false));
            headings.add(Jsoup.parse(html).selectFirst("h1").text());
        }
        assertThat(headings).hasSize(10);
    }

    @Test
    void chineseIsRenderedInChinese() {
        Document doc = render("base", "zh-CN", "dashboard", SampleModels.dashboard(true));

        assertThat(doc.select(".brand__name").text()).isEqualTo("喵部");
        assertThat(doc.selectFirst("main h1").text()).isEqualTo("项目");
    }

    @Test
    void midnightOverridesOnlyItsPaletteAndBrand() {
        Document base = render("base", "en", "dashboard", SampleModels.dashboard(true));
        Document midnight = render("midnight", "en", "dashboard", SampleModels.dashboard(true));

        assertThat(href(midnight, "miaobu.css")).as("layout CSS inherited").isEqualTo(href(base, "miaobu.css"));
        assertThat(href(midnight, "theme.css")).as("palette overridden").isNotEqualTo(href(base, "theme.css"));
        assertThat(base.select(".brand--midnight")).isEmpty();
        assertThat(midnight.select(".brand--midnight .brand__tag").text()).isEqualTo("Midnight");
        assertThat(midnight.selectFirst(".brand img").attr("src")).startsWith("/static/img/logo-midnight.svg?v=");
        assertThat(midnight.select("main").outerHtml()).isEqualTo(base.select("main").outerHtml());
    }

    private static String href(Document doc, String stylesheet) {
        return doc.select("link[rel=stylesheet]").stream().map(link -> link.attr("href"))
                .filter(href -> href.startsWith("/static/css/" + stylesheet)).findFirst().orElseThrow();
    }

    @EveryThemeAndLanguage
    void deploymentPageShowsEachStageWithItsDurationAndTheCurrentOneTicking(String theme, String lang) {
        Document running = render(theme, lang, "deployment", SampleModels.deploymentPage(false));
        assertThat(running.select("#stages .stage")).hasSize(5);
        assertThat(running.select("#stages .stage--done .stage__duration").eachText()).containsExactly("0.4 s", "2.1 s");
        assertThat(running.select("#stages .stage--current").attr("aria-current")).isEqualTo("step");
        assertThat(running.select("#stages .stage--current .stage__duration").attr("data-elapsed-ms"))
                .isEqualTo("83456");
        assertThat(running.select("#stages .stage--current .stage__progress")).hasSize(1);

        Document finished = render(theme, lang, "deployment", SampleModels.deploymentPage(true));
        assertThat(finished.select("#stages .stage--current")).isEmpty();
        assertThat(finished.select("#stages .stage--outcome .badge").attr("data-status")).isEqualTo("FAILED");
    }

    @EveryThemeAndLanguage
    void projectNotificationsListChannelsAndOfferTheAddFormToMaintainers(String theme, String lang) {
        Document doc = render(theme, lang, "project-notifications",
                SampleModels.projectNotifications(true, false, errors()));
        String base = "/projects/1042/notifications";

        assertThat(doc.select(".subnav a[href=" + base + "][aria-current=page]")).hasSize(1);
        assertThat(postActions(doc)).containsExactlyInAnyOrder("/logout", base,
                base + "/6001/test", base + "/6001/disable", base + "/6001/delete",
                base + "/6002/test", base + "/6002/enable", base + "/6002/delete",
                base + "/6003/test", base + "/6003/disable", base + "/6003/delete");
        assertThat(doc.select("tbody tr")).hasSize(3);
        assertThat(doc.select("tbody a[href=" + base + "/6001]").text()).isEqualTo("Team hook " + XSS);
        assertThat(doc.select("tbody").text()).contains("Ops mail" + ATTR_XSS, "Email " + XSS,
                "x" + XSS + "@example.test", "brand.new_event");
        assertThat(doc.selectFirst("form[action=" + base + "/6001/test] input[name=back]").val()).isEqualTo("list");
        assertThat(doc.select("form[action=" + base + "/6001/delete] .visually-hidden").text())
                .isEqualTo("Team hook " + XSS);

        Element chooser = doc.selectFirst("form[method=get][action=" + base + "]");
        assertThat(chooser.select("select[name=notifier] option")).extracting(Element::val)
                .containsExactly("webhook", "email");
        assertThat(chooser.select("option[selected]").val()).isEqualTo("webhook");

        Element add = doc.selectFirst("form[method=post][action=" + base + "]");
        assertThat(add.selectFirst("input[type=hidden][name=notifier]").val()).isEqualTo("webhook");
        assertThat(add.selectFirst("input[name=name]").val()).isEqualTo("New hook" + ATTR_XSS);
        assertThat(add.select("input[type=checkbox][name=events]")).extracting(Element::val)
                .containsExactlyElementsOf(SampleModels.EVENTS.subList(0, SampleModels.EVENTS.size() - 1));
        assertThat(add.select("input[name=events][checked]")).extracting(Element::val)
                .containsExactlyInAnyOrderElementsOf(SampleModels.DEFAULT_EVENTS);
        assertThat(add.select("input[name=events]")).allSatisfy(box ->
                assertThat(doc.select("label[for=" + box.id() + "]").text()).isNotBlank().doesNotContain("."));
        assertThat(add.select("textarea[name=recipients]")).as("a webhook takes no addresses").isEmpty();
        assertThat(add.selectFirst("input[name=setting.url]").attr("type")).isEqualTo("url");
        assertThat(add.selectFirst("input[name=setting.url]").val()).isEqualTo("https://hooks.example.test/" + ATTR_XSS);
        assertThat(add.select("select[name=setting.format] option")).extracting(Element::val)
                .containsExactly("miaobu", "slack", "dingtalk" + XSS);
        assertThat(add.select("select[name=setting.format] option[selected]").val()).isEqualTo("slack");
        assertThat(add.selectFirst("input[name=setting.secret]").attr("type")).isEqualTo("password");
        assertThat(add.selectFirst("input[name=setting.secret]").hasAttr("value")).isFalse();
        assertThat(add.select("input[name=clear.secret]")).as("nothing stored yet").isEmpty();
        assertThat(add.selectFirst("textarea[name=setting.note]").text()).isEqualTo("multi\nline" + XSS);
        assertThat(add.selectFirst("input[name=enabled]").hasAttr("checked")).isTrue();
        assertThat(add.select("fieldset legend").eachText()).anySatisfy(legend -> assertThat(legend)
                .contains("Webhook " + XSS));
        assertThat(doc.select("main a[href=/account/notifications]")).hasSize(1);
    }

    @EveryThemeAndLanguage
    void projectNotificationsAreReadOnlyForViewers(String theme, String lang) {
        Document doc = render(theme, lang, "project-notifications",
                SampleModels.projectNotifications(false, false, errors()));

        assertThat(postActions(doc)).containsExactly("/logout");
        assertThat(doc.select("main form, main input, main select")).isEmpty();
        assertThat(doc.select("tbody tr")).hasSize(3);
        assertThat(doc.select("tbody a[href=/projects/1042/notifications/6002]")).hasSize(1);
        assertThat(doc.select("main p.muted").text()).isNotBlank();
    }

    @EveryThemeAndLanguage
    void projectNotificationsAskForRecipientsOfANotifierThatAddressesPeople(String theme, String lang) {
        Document doc = render(theme, lang, "project-notifications", SampleModels.with(
                SampleModels.projectNotifications(true, false, errors("recipients", "Not an address " + XSS)),
                "notifier", SampleModels.emailNotifier(true)));

        Element add = doc.selectFirst("form[method=post][action=/projects/1042/notifications]");
        assertThat(add.selectFirst("input[name=notifier]").val()).isEqualTo("email");
        assertThat(add.selectFirst("textarea[name=recipients]").text()).isEqualTo("a@example.test\n" + XSS);
        assertThat(add.selectFirst("textarea[name=recipients]").attr("aria-invalid")).isEqualTo("true");
        assertThat(add.select("[name^=setting.]")).isEmpty();
        assertThat(doc.select(".alert--error a[href=#field-recipients]").text()).isEqualTo("Not an address " + XSS);
    }

    @EveryThemeAndLanguage
    void aNewChannelsGeneratedSecretIsShownOnceOutsideAnyForm(String theme, String lang) {
        Map<String, Object> model = SampleModels.projectNotifications(true, true, errors());
        String html = RENDERERS.computeIfAbsent(theme, ThemeRenderer::new).render("project-notifications", lang, model);
        Document doc = render(theme, lang, "project-notifications", model);

        assertThat(html.split(SampleModels.CHANNEL_SECRET, -1)).as("occurrences of the secret").hasSize(2);
        Element box = doc.selectFirst(".callout--highlight");
        assertThat(box.selectFirst("h2").text()).contains("Team hook " + XSS);
        Element secret = box.selectFirst("input#new-secret-secret");
        assertThat(secret.val()).isEqualTo(SampleModels.CHANNEL_SECRET);
        assertThat(secret.hasAttr("readonly")).isTrue();
        assertThat(secret.closest("form")).isNull();
        assertThat(doc.select("label[for=new-secret-secret]").text()).isEqualTo("Signing secret " + XSS);

        String without = RENDERERS.get(theme).render("project-notifications", lang,
                SampleModels.projectNotifications(true, false, errors()));
        assertThat(without).doesNotContain(SampleModels.CHANNEL_SECRET);
    }

    @EveryThemeAndLanguage
    void aChannelSettingsErrorIsShownOnItsField(String theme, String lang) {
        Document doc = render(theme, lang, "project-notifications", SampleModels.projectNotifications(true, false,
                errors("setting.url", "Not a URL " + XSS, "events", "Choose at least one event.")));

        assertThat(doc.select(".alert--error a[href=#field-setting.url]").text()).isEqualTo("Not a URL " + XSS);
        assertThat(doc.getElementById("field-setting.url").attr("aria-invalid")).isEqualTo("true");
        assertThat(doc.getElementById("field-setting.url-error").text()).isEqualTo("Not a URL " + XSS);
        assertThat(doc.select(".alert--error a[href=#field-events]")).hasSize(1);
        assertThat(doc.getElementById("field-events").hasClass("field--error")).isTrue();
    }

    @EveryThemeAndLanguage
    void channelPageOffersItsActionsItsSettingsAndItsDeliveries(String theme, String lang) {
        Document doc = render(theme, lang, "notification-channel",
                SampleModels.notificationChannel("project", true, errors()));
        String base = "/projects/1042/notifications";

        assertThat(doc.selectFirst("main h1").text()).contains("Team hook " + XSS);
        assertThat(doc.select(".subnav a[href=" + base + "][aria-current=page]")).hasSize(1);
        assertThat(doc.select(".breadcrumb a[href=" + base + "]")).hasSize(1);
        assertThat(postActions(doc)).containsExactlyInAnyOrder("/logout", base + "/6001/test",
                base + "/6001/disable", base + "/6001/delete", base + "/6001");
        assertThat(doc.selectFirst("form[action=" + base + "/6001/test] input[name=back]").val()).isEqualTo("channel");

        Element edit = doc.selectFirst("form[action=" + base + "/6001]");
        assertThat(edit.select("input[name=notifier]")).as("the notifier cannot change").isEmpty();
        assertThat(edit.selectFirst("input[name=name]").val()).isEqualTo("Team hook " + XSS);
        assertThat(edit.select("input[name=events][checked]")).extracting(Element::val)
                .containsExactly("deployment.failed", "deployment.fixed");
        Element secret = edit.selectFirst("input[name=setting.secret]");
        assertThat(secret.attr("type")).isEqualTo("password");
        assertThat(secret.hasAttr("value")).isFalse();
        assertThat(secret.hasAttr("required")).isFalse();
        assertThat(edit.select("input[type=checkbox][name=clear.secret]")).hasSize(1);

        assertThat(doc.select("#deliveries-heading ~ .table-wrap tbody tr, section .table-wrap tbody tr")).hasSize(3);
        assertThat(doc.select("tbody").text()).contains("Shop " + XSS + ": deployment #5000 failed",
                "HTTP 503 from hooks.example.test: " + XSS, "200 OK", "503");
        assertThat(doc.select("tbody .tag--danger, tbody .tag--ok, tbody .tag--warn")).hasSize(3);
        assertThat(doc.select("tbody time[datetime=2026-01-02T03:14:05Z]")).as("the next try of the waiting one")
                .hasSize(1);
        assertThat(doc.select("tbody a[href=/admin/notifications/deliveries/7001]")).as("admins see the tries")
                .hasSize(1);
    }

    @EveryThemeAndLanguage
    void channelPageShowsSettingsReadOnlyToViewersAndNeverASecret(String theme, String lang) {
        Map<String, Object> model = SampleModels.with(SampleModels.notificationChannel("project", false, errors()),
                "currentUser", SampleModels.map("username", "ada" + XSS, "admin", false));
        String html = RENDERERS.computeIfAbsent(theme, ThemeRenderer::new).render("notification-channel", lang, model);
        Document doc = render(theme, lang, "notification-channel", model);

        assertThat(html).doesNotContain(SampleModels.SECRET_VALUE);
        assertThat(postActions(doc)).containsExactly("/logout");
        assertThat(doc.select("main input, main select, main textarea")).isEmpty();
        assertThat(doc.select("main .masked")).hasSize(1);
        assertThat(doc.select("main dl").text()).contains("https://hooks.example.test/" + ATTR_XSS, "slack");
        assertThat(doc.select("tbody a")).as("only admins open a delivery's tries").isEmpty();
        assertThat(doc.select("tbody tr")).hasSize(3);
    }

    @EveryThemeAndLanguage
    void channelPagesOfAPersonAndOfTheServerSitInTheirSections(String theme, String lang) {
        Document mine = render(theme, lang, "notification-channel",
                SampleModels.notificationChannel("account", true, errors()));
        assertThat(mine.select("header nav a[href=/account][aria-current=page]")).hasSize(1);
        assertThat(mine.select(".breadcrumb a[href=/account/notifications]")).hasSize(1);
        assertThat(mine.select(".subnav")).isEmpty();
        assertThat(postActions(mine)).contains("/account/notifications/6001", "/account/notifications/6001/test");

        Document server = render(theme, lang, "notification-channel",
                SampleModels.notificationChannel("admin", true, errors()));
        assertThat(server.select("header nav a[href=/admin/notifications][aria-current=page]")).hasSize(1);
        assertThat(postActions(server)).contains("/admin/notifications/6001", "/admin/notifications/6001/delete");

        Document gone = render(theme, lang, "notification-channel", SampleModels.with(
                SampleModels.notificationChannel("admin", true, errors()), "channel", SampleModels.with(
                        (Map<String, Object>) SampleModels.notificationChannel("admin", true, errors()).get("channel"),
                        "installed", false)));
        assertThat(gone.select("form[action=/admin/notifications/6001]")).as("no form for a missing notifier")
                .isEmpty();
        assertThat(gone.select("main [role=note]").text()).isNotBlank();
    }

    @EveryThemeAndLanguage
    void accountNotificationsSetTheAddressAndExplainTheDefaults(String theme, String lang) {
        Document doc = render(theme, lang, "account-notifications",
                SampleModels.accountNotifications("ada@example.test", true, errors("email", "Not an address")));

        assertThat(doc.select("header nav a[href=/account][aria-current=page]")).hasSize(1);
        Element email = doc.selectFirst("form[action=/account/notifications/email]");
        assertThat(email.selectFirst("input[name=email]").attr("type")).isEqualTo("email");
        assertThat(email.selectFirst("input[name=email]").val()).isEqualTo("ada@example.test" + ATTR_XSS);
        assertThat(email.selectFirst("input[name=email]").attr("aria-invalid")).isEqualTo("true");
        assertThat(doc.select("main strong").text()).contains("ada@example.test");
        assertThat(doc.select("#defaults-heading + p + ul li")).hasSize(4);
        assertThat(doc.select("main [role=note]")).isEmpty();
        assertThat(postActions(doc)).contains("/account/notifications", "/account/notifications/6001/test",
                "/account/notifications/6002/enable");
        Element add = doc.selectFirst("form[method=post][action=/account/notifications]");
        assertThat(add.selectFirst("input[name=notifier]").val()).isEqualTo("email");
        assertThat(add.select("textarea[name=recipients]")).as("a person's own channel goes to their address")
                .isEmpty();

        Document none = render(theme, lang, "account-notifications",
                SampleModels.accountNotifications("", false, errors()));
        assertThat(none.select("main [role=note]").text()).isNotBlank();
        assertThat(none.select("main strong")).isEmpty();
    }

    @EveryThemeAndLanguage
    void adminNotificationsListServerChannelsAndDeadLettersWithRetryAndDrop(String theme, String lang) {
        Document doc = render(theme, lang, "admin-notifications", SampleModels.adminNotifications(false, false));

        assertThat(doc.select("header nav a[href=/admin/notifications][aria-current=page]")).hasSize(1);
        assertThat(postActions(doc)).contains("/admin/notifications",
                "/admin/notifications/deliveries/7001/retry", "/admin/notifications/deliveries/7001/drop",
                "/admin/notifications/deliveries/7003/retry", "/admin/notifications/deliveries/7003/drop");
        assertThat(doc.select("a[href=/admin/notifications/deliveries/7001]").text())
                .isEqualTo("Shop " + XSS + ": deployment #5000 failed");
        assertThat(doc.select("tbody a[href=/admin/notifications/6001]")).hasSizeGreaterThanOrEqualTo(2);
        assertThat(doc.select("tbody").text()).contains("ops@example.test", "HTTP 503 from hooks.example.test: " + XSS);

        Document empty = render(theme, lang, "admin-notifications", SampleModels.adminNotifications(true, false));
        assertThat(empty.select(".empty")).hasSize(2);
        assertThat(postActions(empty)).containsExactlyInAnyOrder("/logout", "/admin/notifications");
    }

    @EveryThemeAndLanguage
    void deliveryPageShowsEveryTryAndOffersRetryOnlyForADeadLetter(String theme, String lang) {
        Document dead = render(theme, lang, "admin-delivery", SampleModels.adminDelivery("DEAD"));

        assertThat(dead.select("tbody tr")).hasSize(2);
        assertThat(dead.select("tbody").text()).contains("HTTP 503 " + XSS, "No answer within 10 s" + ATTR_XSS, "10 s");
        assertThat(postActions(dead)).containsExactlyInAnyOrder("/logout",
                "/admin/notifications/deliveries/7001/retry", "/admin/notifications/deliveries/7001/drop");
        assertThat(dead.selectFirst("form[action=/admin/notifications/deliveries/7001/drop] input[name=back]").val())
                .isEqualTo("delivery");
        assertThat(dead.select("main a[href=/admin/notifications/6001]")).hasSize(1);

        Document delivered = render(theme, lang, "admin-delivery", SampleModels.adminDelivery("DELIVERED"));
        assertThat(postActions(delivered)).containsExactly("/logout");
    }

    @EveryThemeAndLanguage
    void extensionSettingsOfANotifierForPeopleOfferATestEmail(String theme, String lang) {
        Document plain = render(theme, lang, "extension-settings", SampleModels.extensionSettings(errors()));
        assertThat(plain.select("form[action$=/test]")).isEmpty();

        Document email = render(theme, lang, "extension-settings",
                SampleModels.with(SampleModels.extensionSettings(errors()), "testEmail", true));
        assertThat(email.select("form[action=/admin/extensions/Notifier/gitlab/test] button").text()).isNotBlank();
    }

    @EveryThemeAndLanguage
    void adminsFindNotificationsInTheNavigationAndEveryoneFindsTheirsOnTheAccountPage(String theme, String lang) {
        Document admin = render(theme, lang, "dashboard", SampleModels.dashboard(true));
        assertThat(admin.select("header nav a[href=/admin/notifications]")).hasSize(1);
        Document user = render(theme, lang, "dashboard",
                SampleModels.with(SampleModels.common(true, false, true, false), "projects", List.of()));
        assertThat(user.select("a[href=/admin/notifications]")).isEmpty();
        Document account = render(theme, lang, "account", SampleModels.account(false, errors()));
        assertThat(account.select("main a[href=/account/notifications]")).hasSize(1);
    }
}
