package io.miaobu.plugin.aliyun;

import io.miaobu.api.Secret;
import io.miaobu.api.config.ConfigField;
import io.miaobu.api.config.ConfigFieldType;
import io.miaobu.api.config.ConfigProblem;
import io.miaobu.api.config.ConfigSchema;
import io.miaobu.api.config.ConfigValues;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The plugin's one settings record, declared identically by its deploy target, CDN provider and DNS provider (the host
 * stores the three under one record, so an admin enters the keys once).
 *
 * @param endpoint   the OSS endpoint ({@code https://oss-cn-hangzhou.aliyuncs.com}, the internal one, or any
 *                   OSS-compatible endpoint)
 * @param keyPrefix  the prefix of every key Miaobu writes in the shared bucket, without a trailing slash; may be empty
 * @param cdnDomains the CDN domains sites are served on, for refreshing changed paths
 * @param cdnEndpoint the CDN API endpoint; empty for Alibaba's default ({@code cdn.aliyuncs.com})
 * @param dnsEndpoint the AliDNS API endpoint; empty for Alibaba's default ({@code alidns.aliyuncs.com})
 * @param signatureVersion {@code v4} (default) or {@code v1}, for OSS requests
 */
public record AliyunSettings(String accessKeyId, Secret accessKeySecret, String region, String bucket, URI endpoint,
                             String keyPrefix, List<String> cdnDomains, String cdnEndpoint, String dnsEndpoint,
                             String signatureVersion) {

    public static final String ACCESS_KEY_ID = "access-key-id";
    public static final String ACCESS_KEY_SECRET = "access-key-secret";
    public static final String REGION = "region";
    public static final String BUCKET = "bucket";
    public static final String ENDPOINT = "endpoint";
    public static final String KEY_PREFIX = "key-prefix";
    public static final String CDN_DOMAINS = "cdn-domains";
    public static final String CDN_ENDPOINT = "cdn-endpoint";
    public static final String DNS_ENDPOINT = "dns-endpoint";
    public static final String SIGNATURE_VERSION = "oss-signature-version";
    public static final String CDN_SCOPE = "cdn-scope";

    public static final ConfigSchema SCHEMA = ConfigSchema.of(
            ConfigField.string(ACCESS_KEY_ID, "AccessKey ID", "Of a RAM user with the permissions listed in the"
                    + " plugin's guide (OSS on the bucket, CDN, AliDNS)."),
            ConfigField.secret(ACCESS_KEY_SECRET, "AccessKey secret", "Stored encrypted; never shown again."),
            ConfigField.string(REGION, "Region", "e.g. cn-hangzhou").withDefault("cn-hangzhou"),
            ConfigField.string(BUCKET, "Bucket", "The one bucket every site is published to, each below its own"
                    + " prefix."),
            new ConfigField(ENDPOINT, "OSS endpoint", "Public (https://oss-cn-hangzhou.aliyuncs.com), internal"
                    + " (https://oss-cn-hangzhou-internal.aliyuncs.com) or any OSS-compatible endpoint.",
                    ConfigFieldType.URL, "https://oss-cn-hangzhou.aliyuncs.com", false, List.of()),
            ConfigField.string(KEY_PREFIX, "Key prefix", "Prefix of every key Miaobu writes, e.g. miaobu/sites."
                    + " Empty for the bucket's root.").withDefault("miaobu"),
            ConfigField.string(CDN_DOMAINS, "CDN domains", "The CDN domains in front of the bucket, separated by"
                    + " commas; changed paths are refreshed on them after each go-live."),
            ConfigField.string(CDN_ENDPOINT, "CDN API endpoint", "Leave empty for Alibaba Cloud's own."),
            ConfigField.string(DNS_ENDPOINT, "AliDNS API endpoint", "Leave empty for Alibaba Cloud's own."),
            new ConfigField(SIGNATURE_VERSION, "OSS signature", "V4 is what OSS recommends; V1 for older"
                    + " OSS-compatible stores.", ConfigFieldType.CHOICE, "v4", false, List.of("v4", "v1")),
            new ConfigField(CDN_SCOPE, "CDN scope", "Where the CDN serves domains Miaobu adds: domestic (mainland"
                    + " China, needs an ICP filing), overseas, or global.", ConfigFieldType.CHOICE, "domestic", false,
                    List.of("domestic", "overseas", "global")));

    public static AliyunSettings from(ConfigValues values) {
        String endpoint = values.get(ENDPOINT, "https://oss-cn-hangzhou.aliyuncs.com").strip();
        String prefix = values.get(KEY_PREFIX, "").strip();
        while (prefix.endsWith("/")) {
            prefix = prefix.substring(0, prefix.length() - 1);
        }
        while (prefix.startsWith("/")) {
            prefix = prefix.substring(1);
        }
        List<String> domains = Arrays.stream(values.get(CDN_DOMAINS, "").split(","))
                .map(String::strip).filter(d -> !d.isEmpty()).toList();
        return new AliyunSettings(values.get(ACCESS_KEY_ID, "").strip(), values.secret(ACCESS_KEY_SECRET).orElse(null),
                values.get(REGION, "cn-hangzhou").strip(), values.get(BUCKET, "").strip(), URI.create(endpoint),
                prefix, domains, values.get(CDN_ENDPOINT, "").strip(), values.get(DNS_ENDPOINT, "").strip(),
                values.get(SIGNATURE_VERSION, "v4").strip());
    }

    /** What is missing or malformed, by field. */
    public static List<ConfigProblem> problems(ConfigValues values) {
        var problems = new ArrayList<ConfigProblem>();
        if (values.get(ACCESS_KEY_ID).filter(v -> !v.isBlank()).isPresent()
                && values.secret(ACCESS_KEY_SECRET).isEmpty()) {
            problems.add(new ConfigProblem(ACCESS_KEY_SECRET, "Give the AccessKey secret with the AccessKey ID."));
        }
        Optional<String> bucket = values.get(BUCKET).map(String::strip).filter(b -> !b.isEmpty());
        if (bucket.isPresent() && !bucket.get().matches("[a-z0-9][a-z0-9-]{1,61}[a-z0-9]")) {
            problems.add(new ConfigProblem(BUCKET, "A bucket name is 3 to 63 lower-case letters, digits and hyphens,"
                    + " starting and ending with a letter or digit."));
        }
        return problems;
    }

    /** Whether the keys and bucket are set, so the plugin can act at all. */
    public boolean configured() {
        return !accessKeyId.isEmpty() && accessKeySecret != null && !bucket.isEmpty();
    }

    /** {@code <prefix>/} or empty: what every key Miaobu writes starts with. */
    public String prefixPath() {
        return keyPrefix.isEmpty() ? "" : keyPrefix + "/";
    }
}
