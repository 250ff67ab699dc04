package io.miaobu.api.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.miaobu.api.Secret;
import io.miaobu.api.config.ConfigField;
import io.miaobu.api.config.ConfigFieldType;
import io.miaobu.api.config.ConfigSchema;
import io.miaobu.api.config.ConfigValues;
import java.util.List;
import org.junit.jupiter.api.Test;

class TestSettingsTest {

    private static final ConfigSchema SCHEMA = ConfigSchema.of(
            new ConfigField("url", "URL", "", ConfigFieldType.URL, null, true, List.of()),
            new ConfigField("format", "Format", "", ConfigFieldType.CHOICE, "text", false, List.of("text", "json")),
            new ConfigField("retries", "Retries", "", ConfigFieldType.INTEGER, "3", false, List.of()),
            new ConfigField("verbose", "Verbose", "", ConfigFieldType.BOOLEAN, "false", false, List.of()),
            ConfigField.secret("token", "Token", ""),
            ConfigField.generatedSecret("signing-secret", "Signing secret", ""));

    @Test
    void fillsInDefaultsAndPassesSecretsAsSecrets() {
        ConfigValues values = TestSettings.forSchema(SCHEMA)
                .set("url", " https://hooks.example.com/x ")
                .set("token", "s3cret")
                .set("verbose", "on")
                .build();

        assertThat(values.get("url")).contains("https://hooks.example.com/x");
        assertThat(values.get("format")).contains("text");
        assertThat(values.getLong("retries", 0)).isEqualTo(3);
        assertThat(values.getBoolean("verbose", false)).isTrue();
        assertThat(values.secret("token")).contains(Secret.of("s3cret"));
        assertThat(values.plainValues()).doesNotContainKey("token");
        assertThat(values.secret("signing-secret")).get().extracting(Secret::reveal).asString().hasSize(43);
    }

    @Test
    void treatsABooleanLeftOutOfASavedFormAsAnUntickedBox() {
        ConfigSchema schema = ConfigSchema.of(
                new ConfigField("enabled", "Enabled", "", ConfigFieldType.BOOLEAN, "true", false, List.of()));

        assertThat(TestSettings.forSchema(schema).build().getBoolean("enabled", true)).isFalse();
        assertThat(TestSettings.defaults(schema).getBoolean("enabled", false)).isTrue();
    }

    @Test
    void refusesWhatTheHostsFormRefuses() {
        assertThatThrownBy(() -> TestSettings.forSchema(SCHEMA).set("colour", "red"))
                .hasMessage("There is no setting 'colour'.");
        assertThatThrownBy(() -> TestSettings.forSchema(SCHEMA).build()).hasMessage("URL is required.");
        assertThatThrownBy(() -> form().set("url", "ftp://x/").build())
                .hasMessage("URL must be an absolute http or https URL.");
        assertThatThrownBy(() -> form().set("format", "xml").build()).hasMessage("Format must be one of text, json.");
        assertThatThrownBy(() -> form().set("retries", "many").build()).hasMessage("Retries must be a whole number.");
        assertThatThrownBy(() -> form().set("format", "a\u0001").build())
                .hasMessage("Control characters are not allowed here.");
        assertThatThrownBy(() -> form().set("token", "x".repeat(4001)).build())
                .hasMessage("At most 4000 characters.");
    }

    @Test
    void defaultsAreWhatAnExtensionGetsBeforeAnythingWasSaved() {
        ConfigValues values = TestSettings.defaults(SCHEMA);

        assertThat(values.get("url")).isEmpty();
        assertThat(values.plainValues()).containsEntry("format", "text").containsEntry("retries", "3");
        assertThat(values.secretNames()).isEmpty();
    }

    @Test
    void namesTheTypeProblemOfAValue() {
        ConfigField retries = SCHEMA.field("retries").orElseThrow();

        assertThat(TestSettings.problem(retries, "12")).isEmpty();
        assertThat(TestSettings.problem(retries, "1.5")).contains("Retries must be a whole number.");
    }

    private static TestSettings form() {
        return TestSettings.forSchema(SCHEMA).set("url", "https://hooks.example.com/x");
    }
}
