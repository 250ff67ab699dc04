package io.miaobu.server.boot;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Everything the server is configured with, resolved once at start by {@link ConfigLoader}.
 *
 * @param home                 MIAOBU_HOME: every file the server writes lives below it
 * @param bindHost             the address to listen on
 * @param port                 the port for pages, API and sites
 * @param publicUrl            the URL users reach the pages at, ending with /
 * @param sitesDomain          sites are served at {@code <slug>.<sitesDomain>}
 * @param dbUrl                JDBC URL; H2 in {@code home/db} by default
 * @param dbUser               database user
 * @param dbPassword           database password
 * @param buildConcurrency     how many builds run at once
 * @param cloneTimeout         limit for checking out sources
 * @param installTimeout       limit for the install command
 * @param buildTimeout         limit for the build command
 * @param uploadTimeout        limit for publishing the output
 * @param theme                the active theme
 * @param initialAdminUser     creates this admin at first start when set with the password
 * @param initialAdminPassword see {@code initialAdminUser}
 * @param security             sessions, lockout, proxies, CORS, rate limits
 * @param buildRunner          where build commands run: {@code host} or a runner plugin's id ({@code docker})
 * @param buildRunnerFallback  whether builds run on the host when that runner's engine is unavailable
 * @param retention            how many deployments and build logs each project keeps
 * @param dependencyCacheBytes the dependency cache's size limit
 * @param notifications        how notifications are delivered
 * @param previewSweepInterval how often previews whose pull request or branch is gone are looked for
 * @param deployTarget         the deploy target new projects publish to: {@code local-storage} or a target plugin's
 *                             id ({@code aliyun})
 * @param domains              how custom domains are checked: CNAME target, server addresses, resolvers, interval
 * @param tls                  the HTTPS connector: port, redirect from HTTP, default certificate
 * @param plugins              the plugin manager: update site, zip limits, how long a request waits for a plugin
 */
public record ServerConfig(
        Path home,
        String bindHost,
        int port,
        URI publicUrl,
        String sitesDomain,
        String dbUrl,
        String dbUser,
        String dbPassword,
        int buildConcurrency,
        Duration cloneTimeout,
        Duration installTimeout,
        Duration buildTimeout,
        Duration uploadTimeout,
        String theme,
        Optional<String> initialAdminUser,
        Optional<String> initialAdminPassword,
        SecurityConfig security,
        String buildRunner,
        boolean buildRunnerFallback,
        RetentionConfig retention,
        long dependencyCacheBytes,
        NotificationConfig notifications,
        Duration previewSweepInterval,
        String deployTarget,
        DomainConfig domains,
        CertificateConfig certificates,
        TlsConfig tls,
        PluginConfig plugins) {

    public Path pluginsDirectory() {
        return home.resolve("plugins");
    }

    public Path workspacesDirectory() {
        return home.resolve("workspaces");
    }

    public Path logsDirectory() {
        return home.resolve("logs");
    }

    public Path sitesDirectory() {
        return home.resolve("sites");
    }

    public Path secretsDirectory() {
        return home.resolve("secrets");
    }

    public Path cacheDirectory() {
        return home.resolve("cache");
    }

    public Path pluginDataDirectory() {
        return home.resolve("plugin-data");
    }

    /** A copy listening on another port (tests pick a free one). */
    public ServerConfig withPort(int newPort) {
        return new ServerConfig(home, bindHost, newPort, publicUrl, sitesDomain, dbUrl, dbUser, dbPassword,
                buildConcurrency, cloneTimeout, installTimeout, buildTimeout, uploadTimeout, theme, initialAdminUser,
                initialAdminPassword, security, buildRunner, buildRunnerFallback, retention, dependencyCacheBytes,
                notifications, previewSweepInterval, deployTarget, domains, certificates, tls, plugins);
    }
}
