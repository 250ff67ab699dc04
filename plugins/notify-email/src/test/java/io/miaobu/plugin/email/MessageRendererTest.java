package io.miaobu.plugin.email;

import static org.assertj.core.api.Assertions.assertThat;

import io.miaobu.api.notify.DeploymentRef;
import io.miaobu.api.notify.EventKind;
import io.miaobu.api.notify.NotificationEvent;
import io.miaobu.api.notify.ProjectRef;
import io.miaobu.api.testkit.TestHostInfo;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class MessageRendererTest {

    /** The sentence each kind adds to the generic part, in both bodies. */
    private static final Map<EventKind, String> SENTENCES = Map.ofEntries(
            Map.entry(EventKind.DEPLOYMENT_QUEUED, "Deployment #42 of My site is queued"),
            Map.entry(EventKind.DEPLOYMENT_STARTED, "Deployment #42 of My site started building."),
            Map.entry(EventKind.DEPLOYMENT_SUCCEEDED, "Deployment #42 of My site is live."),
            Map.entry(EventKind.DEPLOYMENT_FAILED, "Deployment #42 of My site failed."),
            Map.entry(EventKind.DEPLOYMENT_CANCELLED, "Deployment #42 of My site was cancelled."),
            Map.entry(EventKind.DEPLOYMENT_BROKEN, "Deployments of My site are broken: #42 failed"),
            Map.entry(EventKind.DEPLOYMENT_FIXED, "Deployments of My site are fixed: #42 is live"),
            Map.entry(EventKind.ROLLED_BACK, "alice rolled My site back to deployment #42."),
            Map.entry(EventKind.PREVIEW_READY, "A preview of feature/login of My site is ready."),
            Map.entry(EventKind.PREVIEW_REMOVED, "The preview pr-12 of My site was removed."),
            Map.entry(EventKind.CERTIFICATE_ISSUED, "A certificate for www.example.test was issued. It is valid"
                    + " until 2027-02-24 08:30 UTC."),
            Map.entry(EventKind.CERTIFICATE_RENEWED, "The certificate for www.example.test was renewed."),
            Map.entry(EventKind.CERTIFICATE_RENEWAL_FAILING, "Renewing the certificate for www.example.test failed;"),
            Map.entry(EventKind.CERTIFICATE_EXPIRING, "expires on 2027-02-24 08:30 UTC, and renewing it keeps"
                    + " failing."),
            Map.entry(EventKind.DOMAIN_VERIFIED, "The domain www.example.test of My site is verified."),
            Map.entry(EventKind.DOMAIN_FAILED, "The domain www.example.test of My site failed verification."),
            Map.entry(EventKind.PLUGIN_FAILED, "The plugin notify-slack failed to load or start."),
            Map.entry(EventKind.TEST, "Your email settings work"));

    @TempDir
    Path home;

    private MessageRenderer renderer;

    @BeforeEach
    void setUp() {
        renderer = new MessageRenderer(new TestHostInfo(home));
    }

    static Stream<NotificationEvent> events() {
        return Samples.oneOfEachKind().stream();
    }

    @Test
    void theSamplesCoverEveryKind() {
        assertThat(Samples.oneOfEachKind()).extracting(NotificationEvent::kind)
                .containsExactlyInAnyOrder(EventKind.values());
        assertThat(SENTENCES).containsOnlyKeys(EventKind.values());
    }

    @ParameterizedTest
    @MethodSource("events")
    void rendersEveryKindWithItsOwnSentenceInBothBodies(NotificationEvent event) {
        MessageRenderer.RenderedMessage message = renderer.render(event);

        assertThat(message.subject()).isEqualTo("[Miaobu] " + event.summary());
        String sentence = SENTENCES.get(event.kind());
        assertThat(message.text()).startsWith(event.summary()).contains(sentence)
                .contains("(" + event.kind().wireName() + ", 2026-11-26 08:30 UTC)");
        assertThat(message.html()).contains("<h2").contains(event.kind().wireName());
        assertThat(textOf(message.html())).contains(sentence);
    }

    @ParameterizedTest
    @MethodSource("events")
    void showsTheDeploymentsPageAndCommitWhereThereIsADeployment(NotificationEvent event) {
        MessageRenderer.RenderedMessage message = renderer.render(event);

        if (event.deployment() != null) {
            assertThat(message.text()).contains("Deployment page: " + Samples.DEPLOYMENT_PAGE)
                    .contains("Commit:     0123456").doesNotContain(Samples.SHA);
            assertThat(message.html()).contains("href=\"" + Samples.DEPLOYMENT_PAGE + "\"");
        } else {
            assertThat(message.text()).doesNotContain("Deployment page:");
        }
    }

    @Test
    void showsReasonsAndErrors() {
        var failing = renderer.render(Samples.oneOfEachKind().stream()
                .filter(e -> e.kind() == EventKind.CERTIFICATE_RENEWAL_FAILING).findFirst().orElseThrow());
        var failed = renderer.render(Samples.failed("My site", "main", "Build command failed with exit code 1"));

        assertThat(failing.text()).contains("Error: DNS problem: NXDOMAIN");
        assertThat(failing.html()).contains("DNS problem: NXDOMAIN");
        assertThat(failed.text()).contains("Reason: Build command failed with exit code 1");
    }

    @Test
    void escapesEveryValueInTheHtmlBody() {
        String attack = "\"><img src=x onerror=alert(1)><script>alert(2)</script>";
        var event = new NotificationEvent.DeploymentFailed(Samples.AT,
                new ProjectRef(7, "x", "Site " + attack, URI.create("http://localhost:8080/projects/x")),
                new DeploymentRef(42, "branch" + attack, "abc" + attack, Samples.DEPLOYMENT_PAGE, null),
                "reason" + attack);

        String html = renderer.render(event).html();

        assertThat(html).doesNotContain("<img").doesNotContain("<script").doesNotContain("\"><")
                .contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;alert(2)&lt;/script&gt;");
    }

    @Test
    void linksOnlyToWebAddresses() {
        var event = new NotificationEvent.DeploymentSucceeded(Samples.AT, Samples.project("My site"),
                new DeploymentRef(42, "main", Samples.SHA, URI.create("javascript:alert(1)"),
                        URI.create("data:text/html,%3Cscript%3Ealert(1)%3C/script%3E")));

        MessageRenderer.RenderedMessage message = renderer.render(event);

        assertThat(message.html()).doesNotContain("javascript:").doesNotContain("data:");
        assertThat(message.text()).doesNotContain("javascript:").doesNotContain("data:");
        assertThat(message.html()).contains("href=\"http://localhost:8080/projects/my-site\"");
    }

    /** What a reader sees: the markup without its tags (values are escaped, so no tag comes from a value). */
    private static String textOf(String html) {
        return html.replaceAll("<[^>]+>", "");
    }

    @Test
    void keepsTheSubjectOnOneLine() {
        var event = Samples.failed("My site\r\nBcc: victim@example.test", "main", "exit 1");

        assertThat(renderer.render(event).subject())
                .isEqualTo("[Miaobu] My site  Bcc: victim@example.test: deployment #42 failed")
                .doesNotContain("\n").doesNotContain("\r");
    }
}
