package io.miaobu.server.build.cache;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The major version of the {@code node} builds find on the host's PATH, asked once ({@code node --version}) and
 * remembered: part of the dependency cache's key, since native modules are built for one Node version.
 */
public final class NodeVersion implements Supplier<String> {

    private final Map<String, String> environment;
    private final String runner;
    private volatile String major;

    /**
     * @param environment the server's environment (for PATH)
     * @param runner      the configured build runner: a container's node is not the host's, so the key names it
     */
    public NodeVersion(Map<String, String> environment, String runner) {
        this.environment = Map.copyOf(environment);
        this.runner = runner;
    }

    @Override
    public String get() {
        String known = major;
        if (known == null) {
            known = runner + "-node" + CacheKey.nodeMajor(ask());
            major = known;
        }
        return known;
    }

    private String ask() {
        try {
            var builder = new ProcessBuilder("node", "--version").redirectErrorStream(true);
            builder.environment().clear();
            builder.environment().put("PATH", environment.getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin"));
            Process process = builder.start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return process.waitFor(10, TimeUnit.SECONDS) && process.exitValue() == 0 ? out : "unknown";
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }
}
