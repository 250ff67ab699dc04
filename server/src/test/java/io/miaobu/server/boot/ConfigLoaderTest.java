package io.miaobu.server.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.miaobu.server.cert.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    @TempDir
    Path home;

    @Test
    void defaultsToAnEmbeddedServerInTheHomeDirectory() {
        ServerConfig config = load(Map.of(), new Properties());

        assertThat(config.home()).isEqualTo(home);
        assertThat(config.port()).isEqualTo(8080);
        assertThat(config.publicUrl().toString()).isEqualTo("http://localhost:8080/");
        assertThat(config.sitesDomain()).isEqualTo("localhost");
        assertThat(config.dbUrl()).startsWith("jdbc:h2:file:" + home.resolve("db"));
        assertThat(config.buildConcurrency()).isEqualTo(2);
        assertThat(config.buildTimeout()).isEqualTo(Duration.ofHours(1));
        assertThat(config.initialAdminUser()).isEmpty();
    }

    @Test
    void environmentOverridesTheFileAndSystemPropertiesOverrideBoth() throws Exception {
        Files.writeString(home.resolve("miaobu.properties"),
                "port = 9000\nbuilds.concurrency = 3\nsites.domain = file.example\n");
        var properties = new Properties();
        properties.setProperty("miaobu.builds.concurrency", "5");

        ServerConfig config = load(Map.of("MIAOBU_BUILDS_CONCURRENCY", "4", "MIAOBU_SITES_DOMAIN", "Env.Example"),
                properties);

        assertThat(config.port()).isEqualTo(9000);
        assertThat(config.buildConcurrency()).isEqualTo(5);
        assertThat(config.sitesDomain()).isEqualTo("env.example");
        assertThat(config.publicUrl().getPort()).isEqualTo(9000);
    }

    @Test
    void refusesValuesThatMakeNoSenseWithTheSettingsName() {
        assertThatThrownBy(() -> load(Map.of("MIAOBU_PORT", "eighty"), new Properties()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("port");
        assertThatThrownBy(() -> load(Map.of("MIAOBU_BUILDS_CONCURRENCY", "0"), new Properties()))
                .hasMessageContaining("builds.concurrency must be between 1 and 256");
        assertThatThrownBy(() -> load(Map.of("MIAOBU_PUBLIC_URL", "ftp://x/"), new Properties()))
                .hasMessageContaining("public.url");
        assertThatThrownBy(() -> load(Map.of("MIAOBU_PUBLIC_URL", "http://miaobu.localhost:8080/"),
                new Properties())).hasMessageContaining("below sites.domain");
    }

    @Test
    void readsHowCustomDomainsAreCheckedAndRefusesResolversOrAddressesThatAreNotIps() throws Exception {
        var defaults = load(Map.of(), new Properties()).domains();
        assertThat(defaults.cnameTarget()).isEmpty();
        assertThat(defaults.addresses()).isEmpty();
        assertThat(defaults.dnsResolvers()).isEmpty();
        assertThat(defaults.checkInterval()).isEqualTo(java.time.Duration.ofMinutes(10));

        var set = load(Map.of("MIAOBU_DOMAINS_CNAME_TARGET", "Edge.CDN.example.", "MIAOBU_DOMAINS_ADDRESSES",
                "203.0.113.7, 2001:db8::7", "MIAOBU_DNS_RESOLVERS", "127.0.0.1:5353,[::1]:53",
                "MIAOBU_DOMAINS_CHECK_INTERVAL", "PT1M"), new Properties()).domains();
        assertThat(set.cnameTarget()).contains("edge.cdn.example");
        assertThat(set.addresses()).containsExactly(java.net.InetAddress.getByName("203.0.113.7"),
                java.net.InetAddress.getByName("2001:db8::7"));
        assertThat(set.dnsResolvers()).containsExactly("127.0.0.1:5353", "[::1]:53");
        assertThat(set.checkInterval()).isEqualTo(java.time.Duration.ofMinutes(1));

        assertThatThrownBy(() -> load(Map.of("MIAOBU_DNS_RESOLVERS", "dns.google"), new Properties()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("dns.resolvers");
        assertThatThrownBy(() -> load(Map.of("MIAOBU_DNS_RESOLVERS", "127.0.0.1:99999"), new Properties()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("dns.resolvers");
        assertThatThrownBy(() -> load(Map.of("MIAOBU_DOMAINS_ADDRESSES", "my-server.example"), new Properties()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("domains.addresses");
    }

    @Test
    void keepsTenDeploymentsAndFiftyLogsPerProjectUnlessToldOtherwise() {
        assertThat(load(Map.of(), new Properties()).retention()).isEqualTo(new RetentionConfig(10, 50));
        assertThat(load(Map.of("MIAOBU_RETENTION_DEPLOYMENTS", "3", "MIAOBU_RETENTION_LOGS", "200"),
                new Properties()).retention()).isEqualTo(new RetentionConfig(3, 200));
        assertThatThrownBy(() -> load(Map.of("MIAOBU_RETENTION_DEPLOYMENTS", "0"), new Properties()))
                .hasMessageContaining("retention.deployments must be between 1 and");
        assertThatThrownBy(() -> load(Map.of("MIAOBU_RETENTION_LOGS", "all"), new Properties()))
                .hasMessageContaining("retention.logs must be a whole number");
    }

    @Test
    void readsThePluginManagersSettingsAndRefusesAKeyThatIsNotEd25519() throws Exception {
        PluginConfig defaults = load(Map.of(), new Properties()).plugins();
        assertThat(defaults.updateSite()).isEmpty();
        assertThat(defaults.maxZipBytes()).isEqualTo(100L << 20);
        assertThat(defaults.callTimeout()).isEqualTo(java.time.Duration.ofSeconds(30));

        String key = java.util.Base64.getEncoder().encodeToString(java.security.KeyPairGenerator
                .getInstance("Ed25519").generateKeyPair().getPublic().getEncoded());
        PluginConfig set = load(Map.of("MIAOBU_PLUGINS_UPDATE_SITE", "https://plugins.example.test/plugins.json",
                "MIAOBU_PLUGINS_UPDATE_SITE_PUBLIC_KEY", key, "MIAOBU_PLUGINS_ZIP_MAX_SIZE", "20",
                "MIAOBU_PLUGINS_CALL_TIMEOUT", "5"), new Properties()).plugins();
        assertThat(set.updateSite()).contains("https://plugins.example.test/plugins.json");
        assertThat(set.updateSitePublicKey()).contains(key);
        assertThat(set.maxZipBytes()).isEqualTo(20L << 20);
        assertThat(set.callTimeout()).isEqualTo(java.time.Duration.ofSeconds(5));

        assertThatThrownBy(() -> load(Map.of("MIAOBU_PLUGINS_UPDATE_SITE_PUBLIC_KEY", "c2hvcnQ="), new Properties()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("plugins.update-site.public-key");
    }

    @Test
    void newProjectsPublishToLocalStorageUnlessAnotherTargetIsNamed() {
        assertThat(load(Map.of(), new Properties()).deployTarget()).isEqualTo("local-storage");
        assertThat(load(Map.of("MIAOBU_DEPLOY_TARGET", "aliyun"), new Properties()).deployTarget()).isEqualTo("aliyun");
    }

    @Test
    void sweepsPreviewsEveryFifteenMinutesUnlessToldOtherwiseInSecondsOrIso8601() {
        assertThat(load(Map.of(), new Properties()).previewSweepInterval()).isEqualTo(java.time.Duration.ofMinutes(15));
        assertThat(load(Map.of("MIAOBU_PREVIEWS_SWEEP_INTERVAL", "PT1H"), new Properties()).previewSweepInterval())
                .isEqualTo(java.time.Duration.ofHours(1));
        assertThat(load(Map.of("MIAOBU_PREVIEWS_SWEEP_INTERVAL", "120"), new Properties()).previewSweepInterval())
                .isEqualTo(java.time.Duration.ofMinutes(2));
        assertThatThrownBy(() -> load(Map.of("MIAOBU_PREVIEWS_SWEEP_INTERVAL", "soon"), new Properties()))
                .hasMessageContaining("previews.sweep.interval must be a number of seconds or an ISO-8601 duration");
        assertThatThrownBy(() -> load(Map.of("MIAOBU_PREVIEWS_SWEEP_INTERVAL", "PT0S"), new Properties()))
                .hasMessageContaining("at least a second");
    }

    @Test
    void readsTheInitialAdminFromTheEnvironment() {
        ServerConfig config = load(Map.of("MIAOBU_INITIAL_ADMIN_USER", "root",
                "MIAOBU_INITIAL_ADMIN_PASSWORD", "a long password"), new Properties());

        assertThat(config.initialAdminUser()).contains("root");
        assertThat(config.initialAdminPassword()).contains("a long password");
    }

    @Test
    void readsTheSecuritySettingsWithSafeDefaults() {
        SecurityConfig defaults = load(Map.of(), new Properties()).security();
        assertThat(defaults.accessTokenTtl()).isEqualTo(java.time.Duration.ofMinutes(15));
        assertThat(defaults.refreshTokenTtl()).isEqualTo(java.time.Duration.ofDays(7));
        assertThat(defaults.lockoutThreshold()).isEqualTo(5);
        assertThat(defaults.localRepositoriesAllowed()).isTrue();
        assertThat(defaults.trustedProxies()).isEmpty();
        assertThat(defaults.corsOrigins()).isEmpty();
        assertThat(defaults.rateLimits()).isEmpty();

        SecurityConfig set = load(Map.of("MIAOBU_SESSION_ACCESS_TTL", "60", "MIAOBU_LOCKOUT_THRESHOLD", "3",
                "MIAOBU_REPOSITORIES_LOCAL_ALLOWED", "no", "MIAOBU_TRUSTED_PROXIES", "10.0.0.0/8",
                "MIAOBU_CORS_ALLOWED_ORIGINS", "https://a.example, https://b.example:8443",
                "MIAOBU_RATELIMIT_TOKEN_CREATE", "5/1h"), new Properties()).security();
        assertThat(set.accessTokenTtl()).isEqualTo(java.time.Duration.ofSeconds(60));
        assertThat(set.lockoutThreshold()).isEqualTo(3);
        assertThat(set.localRepositoriesAllowed()).isFalse();
        assertThat(set.trustedProxies()).isEqualTo("10.0.0.0/8");
        assertThat(set.corsOrigins()).containsExactly("https://a.example", "https://b.example:8443");
        assertThat(set.rateLimits()).containsEntry("token.create", "5/1h");
    }

    @Test
    void refusesSecuritySettingsThatMakeNoSense() {
        assertThatThrownBy(() -> load(Map.of("MIAOBU_REPOSITORIES_LOCAL_ALLOWED", "maybe"), new Properties()))
                .hasMessageContaining("repositories.local.allowed");
        assertThatThrownBy(() -> load(Map.of("MIAOBU_CORS_ALLOWED_ORIGINS", "https://a.example/path"),
                new Properties())).hasMessageContaining("cors.allowed.origins");
        assertThatThrownBy(() -> load(Map.of("MIAOBU_LOCKOUT_FIRST", "600", "MIAOBU_LOCKOUT_LONGEST", "60"),
                new Properties())).hasMessageContaining("lockout.longest");
        assertThatThrownBy(() -> load(Map.of("MIAOBU_LOCKOUT_THRESHOLD", "0"), new Properties()))
                .hasMessageContaining("lockout.threshold");
        assertThatThrownBy(() -> load(Map.of("MIAOBU_RATELIMIT_LOGIN", "lots"), new Properties()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("ratelimit.login");
        assertThatThrownBy(() -> load(Map.of("MIAOBU_RATELIMIT_NOPE", "1/1m"), new Properties()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("ratelimit.nope");
        assertThatThrownBy(() -> load(Map.of("MIAOBU_TRUSTED_PROXIES", "proxy.example.com"), new Properties()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("proxy.example.com");
    }

    @Test
    void tlsIsOffUnlessAPortIsGivenAndThenRedirectsToPort443ByDefault() {
        TlsConfig off = load(Map.of(), new Properties()).tls();
        assertThat(off.enabled()).isFalse();
        assertThat(off.redirects()).isFalse();
        assertThat(off.publicPort()).isEqualTo(443);
        assertThat(off.certificate()).isEmpty();

        TlsConfig on = load(Map.of("MIAOBU_TLS_PORT", "8443"), new Properties()).tls();
        assertThat(on.port()).hasValue(8443);
        assertThat(on.redirects()).isTrue();
        assertThat(on.publicPort()).isEqualTo(443);

        var properties = new Properties();
        properties.setProperty("miaobu.tls.public-port", "9443");
        TlsConfig set = load(Map.of("MIAOBU_TLS_PORT", "0", "MIAOBU_TLS_REDIRECT", "false"), properties).tls();
        assertThat(set.port()).hasValue(0);
        assertThat(set.publicPort()).isEqualTo(9443);
        assertThat(set.redirects()).isFalse();
    }

    @Test
    void readsTheDefaultCertificateFromPemFilesRelativeToTheHome() throws Exception {
        var ca = TestCertificates.newAuthority("Config Test CA");
        var issued = ca.issue(List.of("miaobu.example.com"), Instant.now().minusSeconds(60),
                Instant.now().plus(Duration.ofDays(90)));
        Files.createDirectories(home.resolve("tls"));
        Files.writeString(home.resolve("tls/chain.pem"), issued.chainPem());
        Path key = Files.writeString(home.resolve("tls/key.pem"), issued.keyPem());

        TlsConfig tls = load(Map.of("MIAOBU_TLS_PORT", "8443", "MIAOBU_TLS_CERTIFICATE", "tls/chain.pem",
                "MIAOBU_TLS_KEY", key.toString()), new Properties()).tls();

        assertThat(tls.certificate()).contains(home.resolve("tls/chain.pem"));
        assertThat(tls.key()).contains(key);
    }

    @Test
    void refusesTlsSettingsThatCannotWork() throws Exception {
        var ca = TestCertificates.newAuthority("Config Test CA");
        var issued = ca.issue(List.of("miaobu.example.com"), Instant.now().minusSeconds(60),
                Instant.now().plus(Duration.ofDays(90)));
        var other = ca.issue(List.of("miaobu.example.com"), Instant.now().minusSeconds(60),
                Instant.now().plus(Duration.ofDays(90)));
        Files.writeString(home.resolve("chain.pem"), issued.chainPem());
        Files.writeString(home.resolve("other-key.pem"), other.keyPem());

        assertThatThrownBy(() -> load(Map.of("MIAOBU_TLS_PORT", "https"), new Properties()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("tls.port must be a whole number");
        assertThatThrownBy(() -> load(Map.of("MIAOBU_TLS_PORT", "70000"), new Properties()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("tls.port must be between 0 and 65535");
        assertThatThrownBy(() -> load(Map.of("MIAOBU_PORT", "8080", "MIAOBU_TLS_PORT", "8080"), new Properties()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("tls.port must differ from port");
        assertThatThrownBy(() -> load(Map.of("MIAOBU_TLS_PUBLIC_PORT", "0"), new Properties()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("tls.public.port must be between 1");
        assertThatThrownBy(() -> load(Map.of("MIAOBU_TLS_REDIRECT", "sometimes"), new Properties()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("tls.redirect must be true or false");
        assertThatThrownBy(() -> load(Map.of("MIAOBU_TLS_PORT", "8443", "MIAOBU_TLS_CERTIFICATE", "chain.pem"),
                new Properties())).isInstanceOf(ConfigException.class)
                .hasMessageContaining("tls.certificate and tls.key go together");
        assertThatThrownBy(() -> load(Map.of("MIAOBU_TLS_PORT", "8443", "MIAOBU_TLS_CERTIFICATE", "missing.pem",
                "MIAOBU_TLS_KEY", "other-key.pem"), new Properties())).isInstanceOf(ConfigException.class)
                .hasMessageContaining("tls.certificate / tls.key").hasMessageContaining("missing.pem does not exist");
        assertThatThrownBy(() -> load(Map.of("MIAOBU_TLS_PORT", "8443", "MIAOBU_TLS_CERTIFICATE", "chain.pem",
                "MIAOBU_TLS_KEY", "other-key.pem"), new Properties())).isInstanceOf(ConfigException.class)
                .hasMessageContaining("other-key.pem does not go with").hasMessageContaining("chain.pem");
    }

    private ServerConfig load(Map<String, String> env, Properties properties) {
        var withHome = new java.util.HashMap<>(env);
        withHome.put("MIAOBU_HOME", home.toString());
        return new ConfigLoader(withHome, properties).load();
    }
}
