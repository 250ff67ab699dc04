package io.miaobu.server.project;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.miaobu.api.MiaobuExtension;
import io.miaobu.api.build.BuildContext;
import io.miaobu.api.build.BuildOutput;
import io.miaobu.api.build.BuildPlan;
import io.miaobu.api.build.BuildRunner;
import io.miaobu.api.build.Builder;
import io.miaobu.api.build.CommandResult;
import io.miaobu.api.build.CommandSpec;
import io.miaobu.api.cdn.CdnProvider;
import io.miaobu.api.config.ConfigField;
import io.miaobu.api.config.ConfigFieldType;
import io.miaobu.api.config.ConfigProblem;
import io.miaobu.api.config.ConfigSchema;
import io.miaobu.api.config.ConfigValues;
import io.miaobu.api.deploy.ActivationResult;
import io.miaobu.api.deploy.DeployTarget;
import io.miaobu.api.deploy.PublishContext;
import io.miaobu.api.deploy.PublishedDeployment;
import io.miaobu.api.deploy.SiteDeployment;
import io.miaobu.api.host.TaskLog;
import io.miaobu.api.source.CheckoutRequest;
import io.miaobu.api.source.Commit;
import io.miaobu.api.source.SourceProvider;
import io.miaobu.api.source.SourceRepository;
import io.miaobu.server.audit.Actor;
import io.miaobu.server.audit.AuditEvent;
import io.miaobu.server.audit.AuditLog;
import io.miaobu.server.deploy.UnusedCdnProvider;
import io.miaobu.server.outbound.GuardedOutboundHttp;
import io.miaobu.server.outbound.OutboundAddressPolicy;
import io.miaobu.server.persistence.TestDatabase;
import io.miaobu.server.plugin.ExtensionRegistry;
import io.miaobu.server.plugin.ExtensionSettings;
import io.miaobu.server.plugin.PluginHost;
import io.miaobu.server.secrets.SecretBox;
import io.miaobu.server.secrets.SecretRotation;
import io.miaobu.server.web.UserFacingException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A project's extension settings on H2 and PostgreSQL (so V013 runs on both): which extensions of a project take
 * them, values checked against the schema and the extension's own validation, secrets sealed and write-only, what
 * the extension's calls receive, the audit line, key rotation, and the rows going with the project.
 */
class ProjectExtensionSettingsIT {

    private static final Instant NOW = Instant.parse("2026-11-26T10:15:30Z");
    private static final Actor ADA = new Actor(null, "ada", "127.0.0.1");
    private static final String API_KEY = "sk-project-9f2c41d7";

    @TempDir
    Path temp;

    private TestDatabase database;
    private PluginHost plugins;
    private Jdbi jdbi;
    private SecretBox box;
    private ExtensionSettings global;
    private AuditLog audit;
    private ProjectExtensionSettings settings;

    private void open(String kind, String buildRunner) throws Exception {
        database = TestDatabase.open(kind, temp);
        jdbi = database.jdbi();
        plugins = new PluginHost(Files.createDirectories(temp.resolve("plugins-" + kind)), temp.resolve("data"),
                new PluginHost.HostFacts("0.1.0", URI.create("http://localhost:8080/"), "localhost", 8080,
                        temp.resolve("sites")), new GuardedOutboundHttp(OutboundAddressPolicy.publicOnly()),
                Clock.systemUTC());
        plugins.start();
        var extensions = new ExtensionRegistry(plugins, List.<MiaobuExtension>of(new PlainSource(),
                new SiteBuilder(), new ContainerRunner(), new EdgeTarget(), new EdgeCdn(), new PlainTarget()));
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        box = new SecretBox(temp.resolve("secretbox-" + kind));
        audit = new AuditLog(jdbi, clock);
        global = new ExtensionSettings(jdbi, extensions, box, audit, clock);
        settings = new ProjectExtensionSettings(jdbi, extensions, global, buildRunner, box, audit, clock);
    }

    @AfterEach
    void close() throws Exception {
        if (plugins != null) {
            plugins.stop();
        }
        if (database != null) {
            database.close();
        }
    }

    private Project project(String slug, String builder, String deployTarget) {
        long id = jdbi.onDemand(ProjectDao.class).insert(new Project(0, slug, "Site " + slug,
                "https://example.com/" + slug + ".git", "main", "", "", "", "", false, "plain", builder, deployTarget,
                null, null, NOW, NOW));
        return jdbi.onDemand(ProjectDao.class).findById(id).orElseThrow();
    }

    @ParameterizedTest
    @MethodSource("io.miaobu.server.persistence.TestDatabase#kinds")
    void listsTheExtensionsAProjectUsesThatTakeSettingsEachOnce(String kind) throws Exception {
        open(kind, "containers");
        Project edge = project("edge-site", "hugo", "edge");
        Project plain = project("plain-site", "hugo", "plain");

        assertThat(settings.withSettings(edge)).extracting(e -> e.point() + "/" + e.id())
                .as("the source has none; the CDN of the deploy target's id shares the target's")
                .containsExactly("Builder/hugo", "BuildRunner/containers", "DeployTarget/edge");
        assertThat(settings.withSettings(plain)).extracting(e -> e.point() + "/" + e.id())
                .containsExactly("Builder/hugo", "BuildRunner/containers");
        assertThat(settings.extensionOf(edge, "CdnProvider", "edge").extension()).isInstanceOf(EdgeCdn.class);
        assertThat(settings.extensionOf(edge, "SourceProvider", "plain").extension()).isInstanceOf(PlainSource.class);

        assertThatThrownBy(() -> settings.extensionOf(plain, "DeployTarget", "edge"))
                .isInstanceOfSatisfying(UserFacingException.class, e -> {
                    assertThat(e.status()).isEqualTo(404);
                    assertThat(e.getMessage()).contains("does not use").doesNotContain("No project");
                });
        assertThatThrownBy(() -> settings.extensionOf(plain, "Builder", "jekyll"))
                .isInstanceOfSatisfying(UserFacingException.class, e -> assertThat(e.status()).isEqualTo(404));
        assertThatThrownBy(() -> settings.extensionOf(plain, "Nonsense", "hugo"))
                .isInstanceOfSatisfying(UserFacingException.class, e -> assertThat(e.status()).isEqualTo(404));
    }

    @ParameterizedTest
    @MethodSource("io.miaobu.server.persistence.TestDatabase#kinds")
    void theHostRunnerHasNoProjectSettings(String kind) throws Exception {
        open(kind, "host");
        assertThat(settings.withSettings(project("site", "hugo", "plain"))).extracting(e -> e.point() + "/" + e.id())
                .containsExactly("Builder/hugo");
    }

    @ParameterizedTest
    @MethodSource("io.miaobu.server.persistence.TestDatabase#kinds")
    void storesPlainValuesAndSealedSecretsAndHandsThemOutOpenedWithDefaults(String kind) throws Exception {
        open(kind, "host");
        Project site = project("site", "hugo", "plain");
        Project other = project("other", "hugo", "plain");
        var builder = settings.extensionOf(site, "Builder", "hugo");

        assertThat(settings.valuesFor(site.id(), "Builder", builder.extension()).plainValues())
                .as("nothing saved: the defaults").containsExactly(Map.entry("environment", "production"));

        settings.save(site, builder, Map.of("base-url", " https://docs.example.test/ ", "api-key", API_KEY,
                "max-pages", "40", "drafts", "on"), Set.of(), ADA);

        ConfigValues values = settings.valuesFor(site.id(), "Builder", builder.extension());
        assertThat(values.get("base-url")).contains("https://docs.example.test/");
        assertThat(values.getLong("max-pages", 0)).isEqualTo(40);
        assertThat(values.getBoolean("drafts", false)).isTrue();
        assertThat(values.get("environment")).contains("production");
        assertThat(values.secret("api-key")).hasValueSatisfying(s -> assertThat(s.reveal()).isEqualTo(API_KEY));
        assertThat(settings.valuesFor(other.id(), "Builder", builder.extension()).secretNames())
                .as("another project's").isEmpty();
        assertThat(settings.valuesFor(site.id(), "DeployTarget", new PlainTarget())).isSameAs(ConfigValues.EMPTY);

        assertThat(settings.view(site.id(), builder)).filteredOn(f -> f.name().equals("api-key"))
                .singleElement().satisfies(f -> {
                    assertThat(f.isSet()).isTrue();
                    assertThat(f.value()).as("a secret's value is never shown").isNull();
                });
        var stored = jdbi.withHandle(h -> h.createQuery("""
                        SELECT name, plain_value, sealed_value FROM project_extension_settings
                        WHERE project_id = :id ORDER BY name""")
                .bind("id", site.id()).mapToMap().list());
        assertThat(stored).extracting(row -> row.get("name")).containsExactly("api-key", "base-url", "drafts",
                "environment", "max-pages");
        assertThat(stored.toString()).doesNotContain(API_KEY);
        String sealed = (String) stored.get(0).get("sealed_value");
        assertThat(box.open(sealed, ProjectExtensionSettings.SECRET_PURPOSE)).isEqualTo(API_KEY);

        List<AuditEvent> events = audit.list(null, "project.extension_settings_changed", null, 10);
        assertThat(events).singleElement().satisfies(event -> {
            assertThat(event.actorName()).isEqualTo("ada");
            assertThat(event.target()).isEqualTo("project:site");
            assertThat(event.detail()).contains("Builder:hugo", "api-key").doesNotContain(API_KEY);
        });
    }

    @ParameterizedTest
    @MethodSource("io.miaobu.server.persistence.TestDatabase#kinds")
    void aBlankSecretKeepsTheStoredOneAndClearRemovesIt(String kind) throws Exception {
        open(kind, "host");
        Project site = project("site", "hugo", "plain");
        var builder = settings.extensionOf(site, "Builder", "hugo");
        settings.save(site, builder, Map.of("base-url", "https://a.example.test/", "api-key", API_KEY), Set.of(),
                ADA);

        settings.save(site, builder, Map.of("base-url", "https://b.example.test/", "api-key", ""), Set.of(), ADA);
        ConfigValues kept = settings.valuesFor(site.id(), "Builder", builder.extension());
        assertThat(kept.get("base-url")).contains("https://b.example.test/");
        assertThat(kept.secret("api-key")).hasValueSatisfying(s -> assertThat(s.reveal()).isEqualTo(API_KEY));

        settings.save(site, builder, Map.of("base-url", "https://b.example.test/"), Set.of("api-key"), ADA);
        assertThat(settings.valuesFor(site.id(), "Builder", builder.extension()).secret("api-key")).isEmpty();
        assertThat(audit.list(null, "project.extension_settings_changed", null, 10).get(0).detail())
                .contains("cleared: api-key");
    }

    @ParameterizedTest
    @MethodSource("io.miaobu.server.persistence.TestDatabase#kinds")
    void refusesBadValuesNamingTheFieldAndKeepsWhatWasStored(String kind) throws Exception {
        open(kind, "host");
        Project site = project("site", "hugo", "plain");
        var builder = settings.extensionOf(site, "Builder", "hugo");
        settings.save(site, builder, Map.of("base-url", "https://a.example.test/"), Set.of(), ADA);

        assertRefused(site, builder, Map.of(), "base-url", "Base URL is required.");
        assertRefused(site, builder, Map.of("base-url", "ftp://a.example.test/"), "base-url",
                "Base URL must be an absolute http or https URL.");
        assertRefused(site, builder, Map.of("base-url", "https://a.example.test/", "max-pages", "many"), "max-pages",
                "Max pages must be a whole number.");
        assertRefused(site, builder, Map.of("base-url", "https://a.example.test/", "environment", "moon"),
                "environment", "Environment must be one of production, staging.");
        assertRefused(site, builder, Map.of("base-url", "https://a.example.test/", "colour", "red"), "colour",
                "There is no setting 'colour'.");
        // the extension's own check sees the server-wide settings beside the project's
        assertRefused(site, builder, Map.of("base-url", "https://blocked.example.test/"), "base-url",
                "The admin does not allow blocked.example.test.");
        global.save("Builder", builder.extension(), Map.of("blocked-host", "a.example.test"), Set.of(), ADA);
        assertRefused(site, builder, Map.of("base-url", "https://a.example.test/x"), "base-url",
                "The admin does not allow a.example.test.");

        assertThat(settings.valuesFor(site.id(), "Builder", builder.extension()).get("base-url"))
                .contains("https://a.example.test/");
        assertThat(audit.list(null, "project.extension_settings_changed", null, 10)).hasSize(1);
    }

    private void assertRefused(Project site, ProjectExtensionSettings.UsedExtension used, Map<String, String> values,
                               String field, String message) {
        assertThatThrownBy(() -> settings.save(site, used, values, Set.of(), ADA))
                .isInstanceOfSatisfying(UserFacingException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.field()).isEqualTo(field);
                    assertThat(e.getMessage()).isEqualTo(message);
                });
    }

    @ParameterizedTest
    @MethodSource("io.miaobu.server.persistence.TestDatabase#kinds")
    void aCdnSharesItsDeployTargetsSettingsAndAnExtensionWithoutProjectSettingsTakesNone(String kind)
            throws Exception {
        open(kind, "host");
        Project site = project("site", "hugo", "edge");
        var target = settings.extensionOf(site, "DeployTarget", "edge");
        settings.save(site, target, Map.of("bucket", "sites-eu", "token", API_KEY), Set.of(), ADA);

        ConfigValues cdn = settings.valuesFor(site.id(), "CdnProvider", new EdgeCdn());
        assertThat(cdn.get("bucket")).contains("sites-eu");
        assertThat(cdn.secret("token")).isPresent();

        var source = settings.extensionOf(site, "SourceProvider", "plain");
        assertThat(settings.view(site.id(), source)).isEmpty();
        assertThatThrownBy(() -> settings.save(site, source, Map.of(), Set.of(), ADA))
                .isInstanceOfSatisfying(UserFacingException.class, e -> assertThat(e.status()).isEqualTo(400));
    }

    @ParameterizedTest
    @MethodSource("io.miaobu.server.persistence.TestDatabase#kinds")
    void keyRotationReencryptsTheSecretsAndTheRowsGoWithTheProject(String kind) throws Exception {
        open(kind, "host");
        Project site = project("site", "hugo", "plain");
        Project other = project("other", "hugo", "plain");
        var builder = settings.extensionOf(site, "Builder", "hugo");
        settings.save(site, builder, Map.of("base-url", "https://a.example.test/", "api-key", API_KEY), Set.of(),
                ADA);
        settings.save(other, builder, Map.of("base-url", "https://b.example.test/"), Set.of(), ADA);

        var report = new SecretRotation(jdbi, box, List.of(ProjectExtensionSettings.SECRET_COLUMN)).rotate();
        assertThat(report.reencryptedPerColumn()).containsEntry("project_extension_settings.sealed_value", 1);
        assertThat(settings.valuesFor(site.id(), "Builder", builder.extension()).secret("api-key"))
                .hasValueSatisfying(s -> assertThat(s.reveal()).isEqualTo(API_KEY));

        jdbi.onDemand(ProjectDao.class).delete(site.id());
        Set<Long> owners = jdbi.withHandle(h -> h.createQuery("SELECT project_id FROM project_extension_settings")
                .mapTo(Long.class).set());
        assertThat(owners).containsExactly(other.id());
        assertThatThrownBy(() -> settings.save(site, builder, Map.of("base-url", "https://a.example.test/"),
                Set.of(), ADA)).isInstanceOfSatisfying(UserFacingException.class,
                        e -> assertThat(e.status()).isEqualTo(404));
    }

    /** A static site generator with project settings of each kind, checked against its server-wide one. */
    static final class SiteBuilder implements Builder {

        @Override
        public String id() {
            return "hugo";
        }

        @Override
        public String displayName() {
            return "Hugo";
        }

        @Override
        public ConfigSchema globalSettings() {
            return ConfigSchema.of(ConfigField.string("blocked-host", "Blocked host", "")
                    .withDefault("blocked.example.test"));
        }

        @Override
        public ConfigSchema projectSettings() {
            return ConfigSchema.of(
                    new ConfigField("base-url", "Base URL", "", ConfigFieldType.URL, null, true, List.of()),
                    new ConfigField("environment", "Environment", "", ConfigFieldType.CHOICE, "production", false,
                            List.of("production", "staging")),
                    ConfigField.secret("api-key", "API key", ""),
                    new ConfigField("max-pages", "Max pages", "", ConfigFieldType.INTEGER, null, false, List.of()),
                    new ConfigField("drafts", "Drafts", "", ConfigFieldType.BOOLEAN, null, false, List.of()));
        }

        @Override
        public List<ConfigProblem> validate(ConfigValues global, ConfigValues project) {
            String blocked = global.get("blocked-host", "");
            String host = project.get("base-url").map(URI::create).map(URI::getHost).orElse("");
            return host.equals(blocked) ? List.of(new ConfigProblem("base-url", "The admin does not allow " + host
                    + ".")) : List.of();
        }

        @Override
        public Optional<BuildPlan> detect(Path sourceDirectory) {
            return Optional.empty();
        }

        @Override
        public BuildOutput build(BuildContext context) {
            throw new UnsupportedOperationException();
        }
    }

    static final class ContainerRunner implements BuildRunner {

        @Override
        public String id() {
            return "containers";
        }

        @Override
        public String displayName() {
            return "Containers";
        }

        @Override
        public ConfigSchema projectSettings() {
            return ConfigSchema.of(ConfigField.string("image", "Image", ""));
        }

        @Override
        public CommandResult run(CommandSpec command, TaskLog log) {
            throw new UnsupportedOperationException();
        }
    }

    static final class PlainSource implements SourceProvider {

        @Override
        public String id() {
            return "plain";
        }

        @Override
        public String displayName() {
            return "Plain";
        }

        @Override
        public boolean handles(String url) {
            return true;
        }

        @Override
        public String resolveBranch(SourceRepository repository) {
            return "0".repeat(40);
        }

        @Override
        public Commit checkout(CheckoutRequest request, TaskLog log) {
            throw new UnsupportedOperationException();
        }
    }

    /** A deploy target whose CDN of the same id declares the same project settings, as one plugin would. */
    static final class EdgeTarget extends NoTarget {

        @Override
        public String id() {
            return "edge";
        }

        @Override
        public ConfigSchema projectSettings() {
            return EDGE_SETTINGS;
        }
    }

    static final ConfigSchema EDGE_SETTINGS = ConfigSchema.of(ConfigField.string("bucket", "Bucket", ""),
            ConfigField.secret("token", "Token", ""));

    static final class PlainTarget extends NoTarget {

        @Override
        public String id() {
            return "plain";
        }
    }

    abstract static class NoTarget implements DeployTarget {

        @Override
        public String displayName() {
            return id();
        }

        @Override
        public PublishedDeployment publish(PublishContext context) {
            throw new UnsupportedOperationException();
        }

        @Override
        public ActivationResult activate(SiteDeployment deployment) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void delete(SiteDeployment deployment) {
            throw new UnsupportedOperationException();
        }
    }

    static final class EdgeCdn extends UnusedCdnProvider {

        @Override
        public String id() {
            return "edge";
        }

        @Override
        public String displayName() {
            return "Edge CDN";
        }

        @Override
        public ConfigSchema projectSettings() {
            return EDGE_SETTINGS;
        }
    }
}
