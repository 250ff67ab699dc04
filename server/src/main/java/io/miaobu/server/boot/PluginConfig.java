package io.miaobu.server.boot;

import java.time.Duration;
import java.util.Optional;

/**
 * The plugin manager's settings.
 *
 * @param updateSite          where the plugin catalogue is ({@code plugins.update-site}: http(s), file: or a path)
 * @param updateSitePublicKey the Ed25519 key its signature must verify with, base64 X.509 SubjectPublicKeyInfo
 * @param maxZipBytes         the largest plugin zip accepted (upload or download)
 * @param maxUnpackedBytes    the most a plugin zip may unpack to
 * @param maxEntries          the most entries a plugin zip may hold
 * @param maxRatio            the highest unpacked ÷ packed size of one entry
 * @param callTimeout         how long a request waits for a plugin's answer (a connection test) before giving up
 */
public record PluginConfig(Optional<String> updateSite, Optional<String> updateSitePublicKey, long maxZipBytes,
                           long maxUnpackedBytes, int maxEntries, int maxRatio, Duration callTimeout) {

    public static PluginConfig defaults() {
        return new PluginConfig(Optional.empty(), Optional.empty(), 100L << 20, 500L << 20, 10_000, 100,
                Duration.ofSeconds(30));
    }
}
