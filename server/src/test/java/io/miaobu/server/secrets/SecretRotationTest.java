package io.miaobu.server.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SecretRotationTest {

    private static final int SETTINGS = 450;
    private static final SecretColumn SETTING_VALUES =
            new SecretColumn("plugin_setting", "id", "setting_value", "plugin-setting");
    private static final SecretColumn VARIABLE_VALUES =
            new SecretColumn("project_variable", "name", "secret_value", "project-variable");

    @TempDir
    Path home;

    private Jdbi jdbi;
    private SecretBox box;

    @BeforeEach
    void createTables() {
        jdbi = Jdbi.create("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        jdbi.useHandle(handle -> {
            handle.execute("CREATE TABLE plugin_setting (id BIGINT PRIMARY KEY, setting_value VARCHAR(1000))");
            handle.execute("CREATE TABLE project_variable (name VARCHAR(100) PRIMARY KEY, secret_value VARCHAR(1000))");
        });
        box = new SecretBox(home.resolve("secretbox"));
    }

    @AfterEach
    void dropDatabase() throws Exception {
        jdbi.useHandle(handle -> {
            try (var statement = handle.getConnection().createStatement()) {
                statement.execute("SHUTDOWN");
            }
        });
    }

    @Test
    void reencryptsEveryValueOfEveryColumnAndRemovesTheKeysNoLongerUsed() throws Exception {
        String firstKey = box.currentKeyId();
        insertSettings(1, 200);
        String secondKey = box.addKey();
        insertSettings(201, SETTINGS);
        jdbi.useHandle(handle -> handle.execute("UPDATE plugin_setting SET setting_value = NULL WHERE id % 50 = 0"));
        insertVariable("DB_PASSWORD", "hunter2-db");
        insertVariable("API_KEY", "key-123");
        insertVariable("EMPTY", "");

        SecretRotation.Report report = new SecretRotation(jdbi, box, List.of(SETTING_VALUES, VARIABLE_VALUES)).rotate();

        int nonNullSettings = SETTINGS - SETTINGS / 50;
        assertThat(report.newKeyId()).isEqualTo(box.currentKeyId()).isGreaterThan(secondKey);
        assertThat(report.reencryptedPerColumn()).containsExactly(
                Map.entry("plugin_setting.setting_value", nonNullSettings),
                Map.entry("project_variable.secret_value", 3));
        assertThat(report.removedKeyIds()).containsExactly(firstKey, secondKey);
        assertThat(box.keyIds()).containsExactly(report.newKeyId());
        assertThat(keyFileNames()).containsExactly(report.newKeyId() + ".key");

        List<Setting> settings = jdbi.withHandle(handle -> handle
                .createQuery("SELECT id, setting_value FROM plugin_setting WHERE setting_value IS NOT NULL ORDER BY id")
                .map((rs, ctx) -> new Setting(rs.getLong(1), rs.getString(2))).list());
        assertThat(settings).hasSize(nonNullSettings).allSatisfy(setting -> {
            assertThat(box.isCurrent(setting.value())).isTrue();
            assertThat(box.open(setting.value(), "plugin-setting")).isEqualTo(plaintextOf(setting.id()));
        });
        var reopened = new SecretBox(home.resolve("secretbox"));
        assertThat(reopened.open(variable("DB_PASSWORD"), "project-variable")).isEqualTo("hunter2-db");
        assertThat(reopened.open(variable("EMPTY"), "project-variable")).isEmpty();
    }

    @Test
    void registersEveryStoredSecretForRedactionSoANewProcessMasksThemFromItsFirstLogLine() {
        String stored = "stored-at-rest-" + java.util.UUID.randomUUID();
        insertVariable("REGISTERED", stored);
        jdbi.useHandle(handle -> handle.execute("INSERT INTO project_variable (name, secret_value) VALUES (?, ?)",
                "CORRUPT", "mb1:" + box.currentKeyId() + ":AAAA"));
        assertThat(SecretRedactor.redact("value " + stored)).contains(stored);

        int registered = new SecretRotation(jdbi, box, List.of(SETTING_VALUES, VARIABLE_VALUES))
                .registerStoredSecretsForRedaction();

        assertThat(registered).isEqualTo(1);
        assertThat(SecretRedactor.redact("value " + stored)).isEqualTo("value ****");
    }

    @Test
    void aSecondRotationFindsNothingLeftUnderTheKeyOfTheFirstButReencryptsAgain() {
        insertSettings(1, 3);
        var rotation = new SecretRotation(jdbi, box, List.of(SETTING_VALUES));
        SecretRotation.Report first = rotation.rotate();

        SecretRotation.Report second = rotation.rotate();

        assertThat(second.removedKeyIds()).containsExactly(first.newKeyId());
        assertThat(second.reencryptedPerColumn()).containsExactly(Map.entry("plugin_setting.setting_value", 3));
        assertThat(box.keyIds()).containsExactly(second.newKeyId());
    }

    @Test
    void stopsAtAValueThatDoesNotOpenNamingTheRowAndKeepsEveryKey() {
        String firstKey = box.currentKeyId();
        insertSettings(1, SETTINGS);
        String good = jdbi.withHandle(handle -> handle
                .select("SELECT setting_value FROM plugin_setting WHERE id = 300").mapTo(String.class).one());
        String corrupt = good.substring(0, good.length() - 2) + (good.endsWith("AA") ? "BB" : "AA");
        jdbi.useHandle(handle -> handle.execute("UPDATE plugin_setting SET setting_value = ? WHERE id = 300", corrupt));
        insertVariable("TOKEN", "t0ken-value");

        var rotation = new SecretRotation(jdbi, box, List.of(SETTING_VALUES, VARIABLE_VALUES));

        assertThatThrownBy(rotation::rotate).isInstanceOf(SecretBoxException.class)
                .hasMessageContaining("plugin_setting.setting_value").hasMessageContaining("id = 300")
                .hasMessageNotContaining(corrupt).hasMessageNotContaining(plaintextOf(300));
        assertThat(box.keyIds()).hasSize(2).contains(firstKey);
        assertThat(keyFileNames()).hasSize(2);
        assertThat(box.open(variable("TOKEN"), "project-variable")).isEqualTo("t0ken-value");
        for (long id = 1; id <= SETTINGS; id++) {
            if (id != 300) {
                assertThat(box.open(setting(id), "plugin-setting")).isEqualTo(plaintextOf(id));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"plugin_setting; DROP TABLE users", "Plugin_Setting", "1table", "", "a b", "t\"x"})
    void columnsAcceptOnlyPlainLowerCaseIdentifiers(String identifier) {
        assertThatThrownBy(() -> new SecretColumn(identifier, "id", "value", "p"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SecretColumn("t", identifier, "value", "p"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SecretColumn("t", "id", identifier, "p"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private void insertSettings(long from, long to) {
        jdbi.useTransaction(handle -> {
            var batch = handle.prepareBatch("INSERT INTO plugin_setting (id, setting_value) VALUES (:id, :value)");
            for (long id = from; id <= to; id++) {
                batch.bind("id", id).bind("value", box.seal(plaintextOf(id), "plugin-setting")).add();
            }
            batch.execute();
        });
    }

    private void insertVariable(String name, String plaintext) {
        jdbi.useHandle(handle -> handle.execute("INSERT INTO project_variable (name, secret_value) VALUES (?, ?)",
                name, box.seal(plaintext, "project-variable")));
    }

    private String setting(long id) {
        return jdbi.withHandle(handle -> handle.select("SELECT setting_value FROM plugin_setting WHERE id = ?", id)
                .mapTo(String.class).one());
    }

    private String variable(String name) {
        return jdbi.withHandle(handle -> handle.select("SELECT secret_value FROM project_variable WHERE name = ?", name)
                .mapTo(String.class).one());
    }

    private List<String> keyFileNames() {
        try (Stream<Path> files = Files.list(home.resolve("secretbox"))) {
            return files.map(file -> file.getFileName().toString()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String plaintextOf(long id) {
        return "setting-secret-" + id;
    }

    private record Setting(long id, String value) {
    }
}
