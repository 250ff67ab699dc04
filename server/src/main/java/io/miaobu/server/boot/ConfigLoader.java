package io.miaobu.server.boot;

import io.miaobu.server.tls.PemFiles;
import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the configuration: {@code MIAOBU_HOME/miaobu.properties} &lt; {@code MIAOBU_*} environment variables &lt;
 * {@code -Dmiaobu.*} system properties. A key {@code builds.concurrency} is {@code MIAOBU_BUILDS_CONCURRENCY} in the
 * environment and {@code -Dmiaobu.builds.concurrency} on the command line. {@code MIAOBU_HOME} itself comes from the
 * environment or {@code -Dmiaobu.home}, default {@code ~/.miaobu}.
 */
public final class ConfigLoader {

    private static final Logger LOG = LoggerFactory.getLogger(ConfigLoader.class);
    private static final String RATE_LIMIT_PREFIX = "ratelimit.";
    private static final Set<String> KNOWN = Set.of("port", "host", "public.url", "sites.domain", "db.url", "db.user",
            "db.password", "builds.concurrency", "builds.timeout.clone", "builds.timeout.install",
            "builds.timeout.build", "builds.timeout.upload", "theme", "initial.admin.user", "initial.admin.password",
            "session.access.ttl", "session.refresh.ttl", "lockout.threshold", "lockout.first", "lockout.longest",
            "repositories.local.allowed", "trusted.proxies", "outbound.allowed.networks", "cors.allowed.origins", "builds.runner",
            "builds.runner.fallback", "builds.cache.size", "log.level", "retention.deployments", "retention.logs",
            "notifications.attempts", "notifications.retry.first", "notifications.timeout", "notifications.workers",
            "notifications.keep.days", "previews.sweep.interval", "deploy.target",
            "domains.cname.target", "domains.addresses", "domains.check.interval", "dns.resolvers",
            "certificates.automatic", "certificates.issuer", "certificates.renew.before", "certificates.retry.first",
            "certificates.retry.max", "certificates.check.interval",
            "tls.port", "tls.public.port", "tls.redirect", "tls.certificate", "tls.key", "plugins.update.site",
            "plugins.update.site.public.key", "plugins.zip.max.size", "plugins.zip.max.unpacked",
            "plugins.zip.max.entries", "plugins.zip.max.ratio", "plugins.call.timeout");

    private final Map<String, String> environment;
    private final Properties systemProperties;

    public ConfigLoader(Map<String, String> environment, Properties systemProperties) {
        this.environment = Map.copyOf(environment);
        this.systemProperties = systemProperties;
    }

    public static ConfigLoader fromProcess() {
        return new ConfigLoader(System.getenv(), System.getProperties());
    }

    public ServerConfig load() {
        Path home = homeDirectory();
        Map<String, String> values = new HashMap<>(readPropertiesFile(home.resolve("miaobu.properties")));
        environment.forEach((name, value) -> {
            if (name.startsWith("MIAOBU_") && !name.equals("MIAOBU_HOME")) {
                values.put(keyOfEnvironmentName(name), value);
            }
        });
        systemProperties.stringPropertyNames().forEach(name -> {
            if (name.startsWith("miaobu.") && !name.equals("miaobu.home")) {
                values.put(normalise(name.substring("miaobu.".length())), systemProperties.getProperty(name));
            }
        });
        values.keySet().stream()
                .filter(key -> !KNOWN.contains(key) && !key.startsWith("test.") && !key.startsWith(RATE_LIMIT_PREFIX))
                .sorted()
                .forEach(key -> LOG.warn("Ignoring the unknown setting '{}' (a typo?)", key));
        return build(home, new Values(values));
    }

    private Path homeDirectory() {
        String configured = systemProperties.getProperty("miaobu.home", environment.get("MIAOBU_HOME"));
        Path home = configured == null || configured.isBlank()
                ? Path.of(systemProperties.getProperty("user.home", "."), ".miaobu")
                : Path.of(configured);
        return home.toAbsolutePath().normalize();
    }

    private static ServerConfig build(Path home, Values values) {
        int port = values.integer("port", 8080, 0, 65535);
        String sitesDomain = values.string("sites.domain", "localhost").toLowerCase(Locale.ROOT);
        URI publicUrl = URI.create(withTrailingSlash(values.string("public.url", "http://localhost:" + port + "/")));
        if (!"http".equals(publicUrl.getScheme()) && !"https".equals(publicUrl.getScheme())) {
            throw new ConfigException("public.url must be an http or https URL, not " + publicUrl);
        }
        String defaultDb = "jdbc:h2:file:" + home.resolve("db").resolve("miaobu")
                + ";DB_CLOSE_ON_EXIT=FALSE;AUTO_SERVER=FALSE;WRITE_DELAY=0";
        String publicHost = publicUrl.getHost() == null ? "" : publicUrl.getHost().toLowerCase(Locale.ROOT);
        if (publicHost.endsWith("." + sitesDomain)) {
            throw new ConfigException("public.url's host " + publicHost + " is below sites.domain " + sitesDomain
                    + ", where every host name is a site; give Miaobu's pages a host name outside it.");
        }
        return new ServerConfig(
                home,
                values.string("host", "0.0.0.0"),
                port,
                publicUrl,
                sitesDomain,
                values.string("db.url", defaultDb),
                values.string("db.user", "sa"),
                values.string("db.password", ""),
                values.integer("builds.concurrency", 2, 1, 256),
                values.seconds("builds.timeout.clone", 300),
                values.seconds("builds.timeout.install", 1800),
                values.seconds("builds.timeout.build", 3600),
                values.seconds("builds.timeout.upload", 1800),
                values.string("theme", "base"),
                values.optional("initial.admin.user"),
                values.optional("initial.admin.password"),
                security(values),
                values.string("builds.runner", "host"),
                values.bool("builds.runner.fallback", false),
                retention(values),
                values.integer("builds.cache.size", 5120, 0, 10_000_000) * 1024L * 1024L,
                notifications(values),
                values.duration("previews.sweep.interval", Duration.ofMinutes(15)),
                values.string("deploy.target", "local-storage"),
                domains(values),
                certificates(values),
                tls(values, port, home),
                plugins(values));
    }

    private static PluginConfig plugins(Values values) {
        var defaults = PluginConfig.defaults();
        Optional<String> site = values.optional("plugins.update.site");
        Optional<String> key = values.optional("plugins.update.site.public.key");
        try {
            site.ifPresent(io.miaobu.server.plugin.UpdateSite::location);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("plugins.update-site: '" + site.get() + "' is neither a URL nor a path");
        }
        try {
            key.ifPresent(io.miaobu.server.plugin.UpdateSite::publicKey);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("plugins.update-site.public-key: " + e.getMessage());
        }
        return new PluginConfig(site, key,
                values.integer("plugins.zip.max.size", (int) (defaults.maxZipBytes() >> 20), 1, 10_000) * (1L << 20),
                values.integer("plugins.zip.max.unpacked", (int) (defaults.maxUnpackedBytes() >> 20), 1, 100_000)
                        * (1L << 20),
                values.integer("plugins.zip.max.entries", defaults.maxEntries(), 1, 1_000_000),
                values.integer("plugins.zip.max.ratio", defaults.maxRatio(), 2, 100_000),
                values.seconds("plugins.call.timeout", (int) defaults.callTimeout().toSeconds()));
    }

    private static CertificateConfig certificates(Values values) {
        var defaults = CertificateConfig.defaults();
        Duration renewBefore = values.duration("certificates.renew.before", defaults.renewBefore());
        Duration first = values.duration("certificates.retry.first", defaults.retryDelay());
        Duration max = values.duration("certificates.retry.max", defaults.maxRetryDelay());
        if (max.compareTo(first) < 0) {
            throw new ConfigException("certificates.retry.max (" + max + ") is shorter than certificates.retry.first ("
                    + first + ")");
        }
        return new CertificateConfig(values.bool("certificates.automatic", defaults.automatic()),
                values.optional("certificates.issuer").map(String::trim).filter(s -> !s.isEmpty()), renewBefore,
                first, max, values.duration("certificates.check.interval", defaults.checkInterval()));
    }

    private static TlsConfig tls(Values values, int httpPort, Path home) {
        Optional<String> configuredPort = values.optional("tls.port");
        OptionalInt port = configuredPort.isEmpty() ? OptionalInt.empty()
                : OptionalInt.of(values.integer("tls.port", 0, 0, 65535));
        if (port.isPresent() && port.getAsInt() != 0 && port.getAsInt() == httpPort) {
            throw new ConfigException("tls.port must differ from port (" + httpPort + ")");
        }
        Optional<Path> certificate = values.optional("tls.certificate").map(file -> home.resolve(file));
        Optional<Path> key = values.optional("tls.key").map(file -> home.resolve(file));
        if (certificate.isPresent() != key.isPresent()) {
            throw new ConfigException("tls.certificate and tls.key go together: set both (the PEM chain and its"
                    + " private key) or neither");
        }
        if (certificate.isPresent()) {
            try {
                PemFiles.read(certificate.get(), key.get());
            } catch (IllegalArgumentException e) {
                throw new ConfigException("tls.certificate / tls.key: " + e.getMessage());
            }
            if (port.isEmpty()) {
                LOG.warn("tls.certificate and tls.key are set but tls.port is not: no HTTPS connector, so they are"
                        + " not used");
            }
        }
        return new TlsConfig(port, values.integer("tls.public.port", 443, 1, 65535),
                values.bool("tls.redirect", true), certificate, key);
    }

    private static DomainConfig domains(Values values) {
        var addresses = new java.util.ArrayList<java.net.InetAddress>();
        for (String address : list(values.string("domains.addresses", ""))) {
            try {
                // a literal only: never a name looked up in DNS at start
                addresses.add(org.xbill.DNS.Address.getByAddress(address));
            } catch (java.net.UnknownHostException e) {
                throw new ConfigException("domains.addresses: " + address + " is not an IP address");
            }
        }
        var resolvers = list(values.string("dns.resolvers", ""));
        for (String resolver : resolvers) {
            try {
                io.miaobu.server.domain.DnsResolvers.address(resolver);
            } catch (IllegalArgumentException e) {
                throw new ConfigException("dns.resolvers: " + e.getMessage());
            }
        }
        Optional<String> target = values.optional("domains.cname.target").map(String::trim)
                .filter(t -> !t.isEmpty()).map(t -> t.toLowerCase(Locale.ROOT).replaceAll("\\.$", ""));
        return new DomainConfig(target, addresses, resolvers,
                values.duration("domains.check.interval", Duration.ofMinutes(10)));
    }

    private static java.util.List<String> list(String commaSeparated) {
        return java.util.Arrays.stream(commaSeparated.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .toList();
    }

    private static NotificationConfig notifications(Values values) {
        return new NotificationConfig(
                values.integer("notifications.attempts", NotificationConfig.DEFAULTS.attempts(), 1, 100),
                values.seconds("notifications.retry.first", (int) NotificationConfig.DEFAULTS.firstRetry().toSeconds()),
                values.seconds("notifications.timeout", (int) NotificationConfig.DEFAULTS.timeout().toSeconds()),
                values.integer("notifications.workers", NotificationConfig.DEFAULTS.workers(), 1, 64),
                Duration.ofDays(values.integer("notifications.keep.days", 30, 1, 36_500)));
    }

    private static RetentionConfig retention(Values values) {
        return new RetentionConfig(
                values.integer("retention.deployments", RetentionConfig.DEFAULTS.deployments(), 1, 1_000_000),
                values.integer("retention.logs", RetentionConfig.DEFAULTS.logs(), 1, 1_000_000));
    }

    private static SecurityConfig security(Values values) {
        Duration firstLock = values.seconds("lockout.first", 60);
        Duration longestLock = values.seconds("lockout.longest", 24 * 3600);
        if (longestLock.compareTo(firstLock) < 0) {
            throw new ConfigException("lockout.longest must be at least lockout.first");
        }
        Map<String, String> rateLimits = new HashMap<>();
        values.map().forEach((key, value) -> {
            if (key.startsWith(RATE_LIMIT_PREFIX)) {
                rateLimits.put(key.substring(RATE_LIMIT_PREFIX.length()), value.strip());
            }
        });
        List<String> corsOrigins = Arrays.stream(values.string("cors.allowed.origins", "").split(","))
                .map(String::strip).filter(origin -> !origin.isEmpty()).toList();
        for (String origin : corsOrigins) {
            URI uri;
            try {
                uri = URI.create(origin);
            } catch (IllegalArgumentException e) {
                throw new ConfigException("cors.allowed.origins: '" + origin + "' is not an origin");
            }
            if (uri.getScheme() == null || uri.getHost() == null || (uri.getPath() != null && !uri.getPath().isEmpty())) {
                throw new ConfigException("cors.allowed.origins: '" + origin
                        + "' is not an origin like https://app.example.com");
            }
        }
        try {
            io.miaobu.server.ratelimit.RateLimitPolicies.fromConfig(rateLimits);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
        for (String key : List.of("trusted.proxies", "outbound.allowed.networks")) {
            try {
                io.miaobu.server.http.AddressRanges.parse(values.string(key, ""));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(key + ": " + e.getMessage());
            }
        }
        return new SecurityConfig(
                values.seconds("session.access.ttl", 15 * 60),
                values.seconds("session.refresh.ttl", 7 * 24 * 3600),
                values.integer("lockout.threshold", 5, 1, 1000),
                firstLock,
                longestLock,
                values.bool("repositories.local.allowed", true),
                values.string("trusted.proxies", ""),
                corsOrigins,
                rateLimits,
                values.string("outbound.allowed.networks", ""));
    }

    private static String withTrailingSlash(String url) {
        return url.endsWith("/") ? url : url + "/";
    }

    private static Map<String, String> readPropertiesFile(Path file) {
        if (!Files.isRegularFile(file)) {
            return Map.of();
        }
        var properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new ConfigException("cannot read " + file + ": " + e.getMessage());
        }
        var result = new HashMap<String, String>();
        properties.stringPropertyNames().forEach(name -> result.put(normalise(name), properties.getProperty(name)));
        return result;
    }

    static String keyOfEnvironmentName(String name) {
        return normalise(name.substring("MIAOBU_".length()));
    }

    /** Keys compare with '.', '-' and '_' alike and without case: {@code builds.timeout.build}. */
    private static String normalise(String key) {
        return key.toLowerCase(Locale.ROOT).replace('_', '.').replace('-', '.');
    }

    private record Values(Map<String, String> map) {

        Optional<String> optional(String key) {
            return Optional.ofNullable(map.get(key)).map(String::strip).filter(v -> !v.isEmpty());
        }

        String string(String key, String fallback) {
            return optional(key).orElse(fallback);
        }

        int integer(String key, int fallback, int min, int max) {
            Optional<String> value = optional(key);
            if (value.isEmpty()) {
                return fallback;
            }
            try {
                int parsed = Integer.parseInt(value.get());
                if (parsed < min || parsed > max) {
                    throw new ConfigException(key + " must be between " + min + " and " + max + ", not " + parsed);
                }
                return parsed;
            } catch (NumberFormatException e) {
                throw new ConfigException(key + " must be a whole number, not '" + value.get() + "'");
            }
        }

        boolean bool(String key, boolean fallback) {
            Optional<String> value = optional(key);
            if (value.isEmpty()) {
                return fallback;
            }
            return switch (value.get().toLowerCase(Locale.ROOT)) {
                case "true", "yes", "on", "1" -> true;
                case "false", "no", "off", "0" -> false;
                default -> throw new ConfigException(key + " must be true or false, not '" + value.get() + "'");
            };
        }

        /** A duration in seconds ({@code 900}) or ISO-8601 ({@code PT15M}), at least a second. */
        Duration duration(String key, Duration fallback) {
            Optional<String> value = optional(key);
            if (value.isEmpty()) {
                return fallback;
            }
            String text = value.get().strip();
            try {
                Duration parsed = text.chars().allMatch(Character::isDigit) ? Duration.ofSeconds(Long.parseLong(text))
                        : Duration.parse(text.toUpperCase(Locale.ROOT));
                if (parsed.compareTo(Duration.ofSeconds(1)) < 0) {
                    throw new ConfigException(key + " must be at least a second, not '" + text + "'");
                }
                return parsed;
            } catch (java.time.format.DateTimeParseException | NumberFormatException e) {
                throw new ConfigException(key + " must be a number of seconds or an ISO-8601 duration such as PT15M,"
                        + " not '" + text + "'");
            }
        }

        Duration seconds(String key, int fallbackSeconds) {
            return Duration.ofSeconds(integer(key, fallbackSeconds, 1, Integer.MAX_VALUE));
        }
    }
}
