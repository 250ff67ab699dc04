package io.miaobu.plugin.aliyun.oss;

import io.miaobu.api.ExtensionException;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Where one site's keys are in the bucket, all below {@code <key prefix>/<site>/}:
 * <pre>
 * objects/&lt;sha256&gt;              each distinct file content once, never changed
 * deployments/&lt;key&gt;.json        a deployment's manifest, written after all its objects
 * pending/&lt;key&gt;.json            the hashes a publish in progress will reference (kept by GC for 24 h)
 * live.json                       the live pointer, replaced by one PUT
 * previews/&lt;label&gt;.json         a preview host's pointer
 * </pre>
 */
record SiteLayout(String root) {

    private static final Pattern SITE_KEY = Pattern.compile("[a-z0-9][a-z0-9-]*(/[a-z0-9][a-z0-9-]*)?");
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]*");
    // a preview site is <slug>/<preview>: it must not land on one of its project's own folders
    private static final Set<String> RESERVED = Set.of("objects", "deployments", "pending", "previews");

    static SiteLayout of(String keyPrefix, String siteKey) {
        if (siteKey == null || !SITE_KEY.matcher(siteKey).matches()
                || siteKey.contains("/") && RESERVED.contains(siteKey.substring(siteKey.indexOf('/') + 1))) {
            throw new ExtensionException("'" + siteKey + "' is not a valid site key: use lower-case letters, digits "
                    + "and '-', and at most one '/'.");
        }
        return new SiteLayout(keyPrefix + siteKey + "/");
    }

    static String deploymentKey(String key) {
        if (key == null || !NAME.matcher(key).matches()) {
            throw new ExtensionException("'" + key + "' is not a valid deployment key: use lower-case letters, "
                    + "digits and '-'.");
        }
        return key;
    }

    static String previewLabel(String label) {
        if (label == null || !NAME.matcher(label).matches()) {
            throw new ExtensionException("'" + label + "' is not a valid preview label: use lower-case letters, "
                    + "digits and '-'.");
        }
        return label;
    }

    String objects() {
        return root + "objects/";
    }

    String object(String sha256) {
        return objects() + sha256;
    }

    String deployments() {
        return root + "deployments/";
    }

    String manifest(String deploymentKey) {
        return deployments() + deploymentKey + ".json";
    }

    String pendingDir() {
        return root + "pending/";
    }

    String pending(String deploymentKey) {
        return pendingDir() + deploymentKey + ".json";
    }

    String live() {
        return root + "live.json";
    }

    String previews() {
        return root + "previews/";
    }

    String preview(String label) {
        return previews() + label + ".json";
    }

    /** The deployment key of a manifest key, or null when it is not one of this site's manifests. */
    String deploymentOf(String manifestKey) {
        if (!manifestKey.startsWith(deployments()) || !manifestKey.endsWith(".json")) {
            return null;
        }
        String name = manifestKey.substring(deployments().length(), manifestKey.length() - ".json".length());
        return NAME.matcher(name).matches() ? name : null;
    }
}
