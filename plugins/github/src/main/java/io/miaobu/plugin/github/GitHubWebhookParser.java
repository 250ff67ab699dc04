package io.miaobu.plugin.github;

import com.fasterxml.jackson.databind.JsonNode;
import io.miaobu.api.source.WebhookDelivery;
import io.miaobu.api.source.WebhookEvent;
import io.miaobu.api.source.WebhookRejectedException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies a GitHub webhook delivery's {@code X-Hub-Signature-256} over the raw body, then reads the event. Nothing
 * of the body is looked at before the signature is found right.
 */
final class GitHubWebhookParser {

    static final String SIGNATURE_HEADER = "X-Hub-Signature-256";
    static final String EVENT_HEADER = "X-GitHub-Event";
    static final String DELIVERY_HEADER = "X-GitHub-Delivery";
    private static final String PREFIX = "sha256=";
    private static final String BRANCH_PREFIX = "refs/heads/";
    private static final String TAG_PREFIX = "refs/tags/";

    /**
     * Events GitHub sends that Miaobu does not act on: a hook with more events ticked than the push and pull_request
     * Miaobu asks for still gets a polite "ignored" rather than a refusal GitHub would show as a failed delivery.
     */
    private static final Set<String> KNOWN_UNUSED = Set.of(
            "branch_protection_rule", "check_run", "check_suite", "code_scanning_alert", "commit_comment", "create",
            "delete", "dependabot_alert", "deploy_key", "deployment", "deployment_status", "discussion",
            "discussion_comment", "fork", "gollum", "issue_comment", "issues", "label", "member", "membership",
            "merge_group", "meta", "milestone", "package", "page_build", "project", "project_card",
            "project_column", "public", "pull_request_review", "pull_request_review_comment",
            "pull_request_review_thread", "registry_package", "release", "repository", "repository_dispatch",
            "repository_import", "repository_vulnerability_alert", "secret_scanning_alert", "security_advisory",
            "star", "status", "team_add", "watch", "workflow_dispatch", "workflow_job", "workflow_run");

    private GitHubWebhookParser() {
    }

    static WebhookEvent parse(WebhookDelivery delivery) {
        verify(delivery);
        String deliveryId = delivery.header(DELIVERY_HEADER).map(String::strip).orElse("");
        String event = delivery.header(EVENT_HEADER).map(String::strip).orElse("");
        return switch (event) {
            case "ping" -> new WebhookEvent.Ping(deliveryId);
            case "push" -> push(deliveryId, json(delivery));
            case "pull_request" -> pullRequest(deliveryId, json(delivery));
            case "" -> throw new WebhookRejectedException(400, "The delivery has no " + EVENT_HEADER + " header.");
            default -> {
                if (KNOWN_UNUSED.contains(event)) {
                    yield new WebhookEvent.Ignored(deliveryId, "Miaobu does not act on GitHub's " + event
                            + " events; only push and pull_request.");
                }
                throw new WebhookRejectedException(400, "Unknown GitHub event '" + printable(event) + "'.");
            }
        };
    }

    /** Refuses a delivery whose signature is missing or is not GitHub's HMAC-SHA256 of the body with the secret. */
    static void verify(WebhookDelivery delivery) {
        if (delivery.secret() == null || delivery.secret().isEmpty()) {
            throw new WebhookRejectedException(401, "This project has no webhook secret; deliveries cannot be"
                    + " verified.");
        }
        String header = delivery.header(SIGNATURE_HEADER).map(String::strip).orElse("");
        if (header.isEmpty()) {
            throw new WebhookRejectedException(401, "The delivery is not signed: " + SIGNATURE_HEADER
                    + " is missing.");
        }
        byte[] given = header.toLowerCase(Locale.ROOT).startsWith(PREFIX)
                ? header.substring(PREFIX.length()).toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII)
                : new byte[0];
        byte[] expected = HexFormat.of().formatHex(hmac(delivery.secret().reveal(), delivery.body()))
                .getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, given)) {
            throw new WebhookRejectedException(401, "The delivery's " + SIGNATURE_HEADER + " signature does not"
                    + " match the webhook secret.");
        }
    }

    /** GitHub's signature of {@code body}: {@code sha256=} and the hex HMAC-SHA256. */
    static String sign(String secret, byte[] body) {
        return PREFIX + HexFormat.of().formatHex(hmac(secret, body));
    }

    private static byte[] hmac(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal(body == null ? new byte[0] : body);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }

    private static WebhookEvent push(String deliveryId, JsonNode json) {
        String ref = requireText(json, "ref", "push");
        if (ref.startsWith(TAG_PREFIX)) {
            return new WebhookEvent.Ignored(deliveryId, "Tag pushes are not deployed (" + ref.substring(
                    TAG_PREFIX.length()) + ").");
        }
        if (!ref.startsWith(BRANCH_PREFIX)) {
            return new WebhookEvent.Ignored(deliveryId, "Only pushes to branches are deployed (" + ref + ").");
        }
        String branch = ref.substring(BRANCH_PREFIX.length());
        if (json.path("deleted").asBoolean(false)) {
            return new WebhookEvent.Push(deliveryId, branch, "", true);
        }
        return new WebhookEvent.Push(deliveryId, branch, requireSha(json.path("after"), "after"), false);
    }

    private static WebhookEvent pullRequest(String deliveryId, JsonNode json) {
        String action = requireText(json, "action", "pull_request");
        JsonNode pr = json.path("pull_request");
        JsonNode number = json.has("number") ? json.path("number") : pr.path("number");
        if (!number.canConvertToInt() || number.asInt() <= 0) {
            throw new WebhookRejectedException(400, "The pull_request delivery has no pull request number.");
        }
        JsonNode head = pr.path("head");
        String headRef = head.path("ref").asText("");
        if (headRef.isEmpty()) {
            throw new WebhookRejectedException(400, "The pull_request delivery has no head branch.");
        }
        String headSha = requireSha(head.path("sha"), "pull_request.head.sha");
        JsonNode headRepo = head.path("repo");
        String baseRepo = pr.path("base").path("repo").path("full_name").asText("");
        boolean fromFork = headRepo.isMissingNode() || headRepo.isNull()
                || !headRepo.path("full_name").asText("").equalsIgnoreCase(baseRepo) || baseRepo.isEmpty();
        return new WebhookEvent.PullRequest(deliveryId, number.asInt(), action, headRef, headSha, fromFork);
    }

    private static JsonNode json(WebhookDelivery delivery) {
        String contentType = delivery.header("Content-Type").orElse("application/json");
        if (contentType.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
            throw new WebhookRejectedException(400, "The webhook sends form-encoded payloads; set its content type"
                    + " to application/json on GitHub.");
        }
        try {
            JsonNode json = GitHubApi.JSON.readTree(delivery.body());
            if (json == null || !json.isObject()) {
                throw new WebhookRejectedException(400, "The delivery's body is not a JSON object.");
            }
            return json;
        } catch (IOException e) {
            throw new WebhookRejectedException(400, "The delivery's body is not valid JSON.");
        }
    }

    private static String requireText(JsonNode json, String field, String event) {
        String value = json.path(field).asText("");
        if (value.isEmpty()) {
            throw new WebhookRejectedException(400, "The " + event + " delivery has no " + field + ".");
        }
        return value;
    }

    private static String requireSha(JsonNode node, String field) {
        String sha = node.asText("").toLowerCase(Locale.ROOT);
        if (!sha.matches("[0-9a-f]{40}([0-9a-f]{24})?")) {
            throw new WebhookRejectedException(400, "The delivery's " + field + " is not a commit id.");
        }
        return sha;
    }

    private static String printable(String text) {
        String cleaned = text.replaceAll("[^A-Za-z0-9_.-]", "?");
        return cleaned.length() > 60 ? cleaned.substring(0, 60) + "…" : cleaned;
    }
}
