package io.miaobu.plugin.email;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.miaobu.api.Secret;
import io.miaobu.api.config.ConfigField;
import io.miaobu.api.config.ConfigFieldType;
import io.miaobu.api.config.ConfigProblem;
import io.miaobu.api.config.ConfigValues;
import io.miaobu.api.notify.NotDeliverableException;
import io.miaobu.api.testkit.TestHostInfo;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SmtpSettingsTest {

    @TempDir
    Path home;

    @Test
    void describesTheSettingsForTheGeneratedForm() {
        var schema = SmtpSettings.SCHEMA;

        assertThat(schema.fields()).extracting(ConfigField::name).containsExactly("host", "port", "security",
                "username", "password", "from-address", "from-name", "timeout-seconds");
        assertThat(schema.field("host").orElseThrow().required()).isTrue();
        assertThat(schema.field("from-address").orElseThrow().required()).isTrue();
        assertThat(schema.field("port").orElseThrow().defaultValue()).isEqualTo("587");
        assertThat(schema.field("security").orElseThrow()).satisfies(security -> {
            assertThat(security.type()).isEqualTo(ConfigFieldType.CHOICE);
            assertThat(security.defaultValue()).isEqualTo("starttls");
            assertThat(security.options()).containsExactly("starttls", "tls", "none");
        });
        assertThat(schema.field("password").orElseThrow().secret()).isTrue();
        assertThat(schema.field("from-name").orElseThrow().defaultValue()).isEqualTo("Miaobu");
        assertThat(schema.field("timeout-seconds").orElseThrow().defaultValue()).isEqualTo("20");
    }

    @Test
    void fillsInTheDefaults() {
        SmtpSettings settings = SmtpSettings.from(ConfigValues.of(Map.of(
                "host", "smtp.example.test", "from-address", "miaobu@example.test")));

        assertThat(settings.port()).isEqualTo(587);
        assertThat(settings.security()).isEqualTo(SmtpSettings.Security.STARTTLS);
        assertThat(settings.username()).isNull();
        assertThat(settings.password()).isNull();
        assertThat(settings.from().getPersonal()).isEqualTo("Miaobu");
        assertThat(settings.timeout()).isEqualTo(Duration.ofSeconds(20));
    }

    @Test
    void acceptsAWorkingSetup() {
        var values = ConfigValues.of(Map.of("host", "smtp.example.test", "port", "465", "security", "tls",
                        "username", "robot", "from-address", "miaobu@example.test", "from-name", "喵部 Miaobu"),
                Map.of("password", Secret.of("s3cret")));

        assertThat(SmtpSettings.problems(values)).isEmpty();
        assertThat(SmtpSettings.from(values).password().reveal()).isEqualTo("s3cret");
    }

    @Test
    void namesTheFieldOfEveryBadValue() {
        var values = ConfigValues.of(Map.of(
                "host", "smtp example.test",
                "port", "70000",
                "security", "ssl",
                "from-address", "Miaobu <miaobu@example.test>",
                "timeout-seconds", "0"));

        assertThat(SmtpSettings.problems(values)).extracting(ConfigProblem::field)
                .containsExactly("host", "port", "security", "from-address", "timeout-seconds");
    }

    @Test
    void asksForWhatIsMissing() {
        assertThat(SmtpSettings.problems(ConfigValues.EMPTY)).extracting(ConfigProblem::field)
                .containsExactly("host", "from-address");
        assertThat(SmtpSettings.problems(ConfigValues.of(Map.of("host", "smtp.example.test",
                        "from-address", "miaobu@example.test"), Map.of("password", Secret.of("s3cret")))))
                .extracting(ConfigProblem::field).containsExactly("username");
    }

    @Test
    void rejectsAnythingButOnePlainAddressAsSender() {
        for (String address : List.of("miaobu", "miaobu@", "@example.test", "a@example.test, b@example.test",
                "Miaobu <miaobu@example.test>", "miaobu@exa mple.test")) {
            assertThat(SmtpSettings.addressProblem(address)).as(address).isPresent();
        }
        assertThat(SmtpSettings.addressProblem("miaobu@example.test")).isEmpty();
        assertThat(SmtpSettings.addressProblem("first.last+tag@sub.example.test")).isEmpty();
    }

    @Test
    void rejectsPortsThatAreNoPorts() {
        for (String port : List.of("0", "-1", "65536", "587a", "５８７")) {
            var values = new HashMap<>(Map.of("host", "smtp.example.test", "from-address", "miaobu@example.test"));
            values.put("port", port);
            assertThat(SmtpSettings.problems(ConfigValues.of(values))).as(port)
                    .extracting(ConfigProblem::field).containsExactly("port");
        }
    }

    @Test
    void theNotifierValidatesWithTheseRulesAndRefusesToSendWithBadSettings() {
        var notifier = new EmailNotifier(new TestHostInfo(home), Clock.systemUTC());
        var bad = ConfigValues.of(Map.of("host", "smtp.example.test", "from-address", "nobody"));

        assertThat(notifier.validate(bad, ConfigValues.EMPTY)).extracting(ConfigProblem::field)
                .containsExactly("from-address");
        assertThatThrownBy(() -> notifier.deliver(Samples.failed("My site", "main", "exit 1"),
                Samples.context(bad, "dev@example.test")))
                .isInstanceOf(NotDeliverableException.class)
                .hasMessageStartingWith("The email settings are not valid (from-address: ");
    }
}
