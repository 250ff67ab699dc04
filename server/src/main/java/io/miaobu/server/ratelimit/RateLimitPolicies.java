package io.miaobu.server.ratelimit;

import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The named rate limits and whether limiting is on at all. Defaults, each overridable by a configuration entry
 * {@code ratelimit.<name>=<capacity>/<period>} with a period of whole seconds, minutes, hours or days ({@code 30s},
 * {@code 1m}, {@code 1h}, {@code 1d}); {@code ratelimit.enabled=false} turns every limit off.
 * <ul>
 *   <li>{@code global}: 600/1m per client address, every request that reaches the web app</li>
 *   <li>{@code login}: 10/1m per client address</li>
 *   <li>{@code refresh}: 30/1m</li>
 *   <li>{@code token-create}: 10/1h per user or address</li>
 *   <li>{@code webhook}: 1200/1m per address (GitHub delivers every project's hooks from a few addresses)</li>
 *   <li>{@code deploy}: 30/1m per user or address</li>
 *   <li>{@code sign-in-failures}: 20/1h failed sign-ins per address, counted by the sign-in code itself</li>
 * </ul>
 * Keys compare as the configuration loader normalises them: without case, with '-', '_' and '.' alike, so
 * {@code ratelimit.token-create} and {@code MIAOBU_RATELIMIT_TOKEN_CREATE} both set {@code token-create}.
 * Built once at start-up by the composition root; immutable and thread-safe.
 */
public final class RateLimitPolicies {

    public static final String GLOBAL = "global";
    public static final String LOGIN = "login";
    public static final String REFRESH = "refresh";
    public static final String TOKEN_CREATE = "token-create";
    public static final String WEBHOOK = "webhook";
    public static final String DEPLOY = "deploy";
    public static final String SIGN_IN_FAILURES = "sign-in-failures";

    private static final String PREFIX = "ratelimit.";
    private static final String ENABLED = "enabled";
    private static final Pattern LIMIT = Pattern.compile("(\\d{1,9})/(\\d{1,9})([smhd])");
    private static final Duration LONGEST_PERIOD = Duration.ofDays(366);
    private static final List<RateLimitPolicy> DEFAULTS = List.of(
            new RateLimitPolicy(GLOBAL, 600, Duration.ofMinutes(1)),
            new RateLimitPolicy(LOGIN, 10, Duration.ofMinutes(1)),
            new RateLimitPolicy(REFRESH, 30, Duration.ofMinutes(1)),
            new RateLimitPolicy(TOKEN_CREATE, 10, Duration.ofHours(1)),
            new RateLimitPolicy(WEBHOOK, 1200, Duration.ofMinutes(1)),
            new RateLimitPolicy(DEPLOY, 30, Duration.ofMinutes(1)),
            new RateLimitPolicy(SIGN_IN_FAILURES, 20, Duration.ofHours(1)));

    private final boolean enabled;
    private final Map<String, RateLimitPolicy> byName;

    private RateLimitPolicies(boolean enabled, Map<String, RateLimitPolicy> byName) {
        this.enabled = enabled;
        this.byName = Map.copyOf(byName);
    }

    /** The defaults above, enabled. */
    public static RateLimitPolicies defaults() {
        return fromConfig(Map.of());
    }

    /**
     * The defaults with the rate-limit settings in {@code config} applied. Keys may carry the {@code ratelimit.}
     * prefix or not ({@code SecurityConfig.rateLimits()} has them without); every entry must be a rate-limit setting.
     *
     * @throws IllegalArgumentException naming the key, for an unknown policy name, a malformed limit or an
     *                                  {@code enabled} value other than {@code true} or {@code false}
     */
    public static RateLimitPolicies fromConfig(Map<String, String> config) {
        var byName = new LinkedHashMap<String, RateLimitPolicy>();
        DEFAULTS.forEach(policy -> byName.put(policy.name(), policy));
        boolean enabled = true;
        for (Map.Entry<String, String> entry : config.entrySet()) {
            String name = normalise(entry.getKey());
            name = name.startsWith(PREFIX) ? name.substring(PREFIX.length()) : name;
            String key = PREFIX + name;
            String value = entry.getValue() == null ? "" : entry.getValue().strip();
            if (name.equals(ENABLED)) {
                enabled = parseEnabled(key, value);
                continue;
            }
            String wanted = name;
            RateLimitPolicy standard = DEFAULTS.stream().filter(p -> normalise(p.name()).equals(wanted)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("Unknown rate limit setting '" + key
                            + "': the limits are " + String.join(", ", byName.keySet()) + ", and "
                            + PREFIX + ENABLED + " turns them all off"));
            byName.put(standard.name(), parse(standard.name(), key, value));
        }
        return new RateLimitPolicies(enabled, byName);
    }

    /**
     * Parses {@code <capacity>/<period>}, e.g. {@code 10/1m}.
     *
     * @throws IllegalArgumentException naming {@code key} when the value is malformed, zero or too large
     */
    static RateLimitPolicy parse(String name, String key, String value) {
        Matcher matcher = LIMIT.matcher(value);
        if (!matcher.matches()) {
            throw new IllegalArgumentException(key + " must be <requests>/<period> with a period in whole s, m, h"
                    + " or d, like 10/1m or 600/30s; not '" + value + "'");
        }
        long capacity = Long.parseLong(matcher.group(1));
        long amount = Long.parseLong(matcher.group(2));
        if (capacity == 0 || amount == 0) {
            throw new IllegalArgumentException(key + " must allow at least 1 request in a period longer than zero;"
                    + " not '" + value + "'");
        }
        Duration period = switch (matcher.group(3)) {
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofDays(amount);
        };
        if (period.compareTo(LONGEST_PERIOD) > 0) {
            throw new IllegalArgumentException(key + " must have a period of at most 366d; not '" + value + "'");
        }
        return new RateLimitPolicy(name, capacity, period);
    }

    private static boolean parseEnabled(String key, String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException(key + " must be true or false, not '" + value + "'");
        };
    }

    private static String normalise(String key) {
        return key.strip().toLowerCase(Locale.ROOT).replace('_', '.').replace('-', '.');
    }

    /** Whether requests are limited at all ({@code ratelimit.enabled}, default true). */
    public boolean enabled() {
        return enabled;
    }

    /**
     * The policy called {@code name}.
     *
     * @throws IllegalArgumentException when there is none (a typo in a {@link RateLimited} annotation)
     */
    public RateLimitPolicy policy(String name) {
        RateLimitPolicy policy = byName.get(name);
        if (policy == null) {
            throw new IllegalArgumentException("No rate limit policy named '" + name + "'");
        }
        return policy;
    }

    /** Every policy, for logging the limits in force. */
    public Collection<RateLimitPolicy> all() {
        return DEFAULTS.stream().map(p -> byName.get(p.name())).toList();
    }
}
