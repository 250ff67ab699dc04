package io.miaobu.plugin.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.miaobu.api.notify.NotificationEvent;
import io.miaobu.api.notify.NotificationEvent.DeploymentFailed;
import io.miaobu.api.notify.NotificationEvent.DeploymentSucceeded;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the verification snippets of docs/user/webhook-notifications.md, with the real {@code node} and
 * {@code python3}, against deliveries the notifier signed: what the guide tells receivers to do must accept genuine
 * requests and refuse tampered, wrongly keyed and replayed ones.
 */
class DocumentedRecipeTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** What each case below must give: genuine, tampered, wrong secret, stale, from the future, genuine non-ASCII. */
    private static final List<Boolean> EXPECTED = List.of(true, false, false, false, false, true);

    @TempDir
    Path temp;

    private TestReceiver receiver;
    private final List<Map<String, Object>> cases = new ArrayList<>();

    @BeforeEach
    void signDeliveries() throws Exception {
        receiver = new TestReceiver();
        Clock now = Clock.systemUTC();
        var succeeded = new DeploymentSucceeded(Events.AT, Events.PROJECT, Events.DEPLOYMENT);

        TestReceiver.Received genuine = deliver(now, succeeded);
        cases.add(testCase(Events.SECRET, genuine.headers(), genuine.body()));
        byte[] tampered = genuine.body().clone();
        tampered[tampered.length - 2] ^= 1;
        cases.add(testCase(Events.SECRET, genuine.headers(), tampered));
        cases.add(testCase("not-" + Events.SECRET, genuine.headers(), genuine.body()));
        TestReceiver.Received stale = deliver(Clock.offset(now, Duration.ofMinutes(-10)), succeeded);
        cases.add(testCase(Events.SECRET, stale.headers(), stale.body()));
        TestReceiver.Received ahead = deliver(Clock.offset(now, Duration.ofMinutes(10)), succeeded);
        cases.add(testCase(Events.SECRET, ahead.headers(), ahead.body()));
        TestReceiver.Received unicode = deliver(now, new DeploymentFailed(Events.AT, Events.PROJECT,
                Events.DEPLOYMENT, "\"npm run build\" a échoué\n构建失败 😀"));
        cases.add(testCase(Events.SECRET, unicode.headers(), unicode.body()));
    }

    @AfterEach
    void stopReceiver() {
        receiver.close();
    }

    @Test
    void theNodeRecipeAcceptsGenuineDeliveriesOnly() throws Exception {
        String harness = """

                const cases = JSON.parse(require('node:fs').readFileSync(process.argv[2], 'utf8'));
                console.log(JSON.stringify(cases.map(c => verifyMiaobuWebhook(
                    c.secret, c.lowerCaseHeaders, Buffer.from(c.body, 'base64')))));
                """;

        assertThat(run("node", snippet("verify-node") + harness, "verify.js")).isEqualTo(EXPECTED);
    }

    @Test
    void thePythonRecipeAcceptsGenuineDeliveriesOnly() throws Exception {
        String harness = """


                import base64, json, sys


                class Headers(dict):
                    def get(self, name, default=None):
                        return next((v for k, v in self.items() if k.lower() == name.lower()), default)


                cases = json.load(open(sys.argv[1], encoding="utf-8"))
                print(json.dumps([verify_miaobu_webhook(c["secret"], Headers(c["headers"]),
                                                        base64.b64decode(c["body"])) for c in cases]))
                """;

        assertThat(run("python3", snippet("verify-python") + harness, "verify.py")).isEqualTo(EXPECTED);
    }

    @Test
    void theJavaRecipeAgrees() {
        List<Boolean> results = cases.stream().map(c -> {
            @SuppressWarnings("unchecked")
            var headers = (Map<String, String>) c.get("lowerCaseHeaders");
            return WebhookSignature.verify((String) c.get("secret"), headers.get("x-miaobu-timestamp"),
                    Base64.getDecoder().decode((String) c.get("body")), headers.get("x-miaobu-signature"),
                    WebhookSignature.RECOMMENDED_TOLERANCE, Instant.now());
        }).toList();

        assertThat(results).isEqualTo(EXPECTED);
    }

    private TestReceiver.Received deliver(Clock clock, NotificationEvent event) throws Exception {
        new WebhookNotifier(JdkOutboundHttp.open(), clock)
                .deliver(event, Events.channel(receiver.url("/"), "miaobu", Events.SECRET));
        return receiver.next();
    }

    private static Map<String, Object> testCase(String secret, Map<String, String> headers, byte[] body) {
        var lowerCase = new LinkedHashMap<String, String>();
        headers.forEach((name, value) -> lowerCase.put(name.toLowerCase(Locale.ROOT), value));
        return Map.of("secret", secret, "headers", headers, "lowerCaseHeaders", lowerCase,
                "body", Base64.getEncoder().encodeToString(body));
    }

    /** Runs {@code script} with {@code interpreter} on the cases; its last line of output, as JSON booleans. */
    private List<Boolean> run(String interpreter, String script, String name) throws Exception {
        Path file = Files.writeString(temp.resolve(name), script);
        Path input = temp.resolve("cases.json");
        JSON.writeValue(input.toFile(), cases);
        Process process = new ProcessBuilder(interpreter, file.toString(), input.toString())
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as(interpreter + " finished").isTrue();
        assertThat(process.exitValue()).as(interpreter + " said: " + output).isZero();
        String[] lines = output.strip().split("\n");
        return Arrays.asList(JSON.readValue(lines[lines.length - 1], Boolean[].class));
    }

    /** The fenced code block that follows the {@code <!-- marker ...} comment in the guide. */
    private static String snippet(String marker) throws IOException {
        Path doc = Path.of(System.getProperty("webhook.doc", "../../docs/user/webhook-notifications.md"));
        List<String> lines = Files.readAllLines(doc);
        int at = 0;
        while (at < lines.size() && !lines.get(at).startsWith("<!-- " + marker)) {
            at++;
        }
        assertThat(at).as("marker " + marker + " in " + doc).isLessThan(lines.size());
        while (!lines.get(at).startsWith("```")) {
            at++;
        }
        var code = new StringBuilder();
        for (at++; !lines.get(at).startsWith("```"); at++) {
            code.append(lines.get(at)).append('\n');
        }
        return code.toString();
    }
}
