package io.miaobu.server.secrets;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RedactingLayoutTest {

    private final LoggerContext context = new LoggerContext();
    private final ByteArrayOutputStream output = new ByteArrayOutputStream();
    private Logger logger;

    @BeforeEach
    void buildLogger() {
        // what logback's SLF4J provider does for the context it configures itself
        context.setMDCAdapter(new LogbackMDCAdapter());
        var layout = new RedactingLayout();
        layout.setContext(context);
        layout.setPattern("%-5level %logger - %msg%n");
        layout.start();
        var encoder = new LayoutWrappingEncoder<ILoggingEvent>();
        encoder.setContext(context);
        encoder.setLayout(layout);
        encoder.setCharset(StandardCharsets.UTF_8);
        encoder.start();
        var appender = new OutputStreamAppender<ILoggingEvent>();
        appender.setContext(context);
        appender.setName("memory");
        appender.setEncoder(encoder);
        appender.setOutputStream(output);
        appender.start();
        logger = context.getLogger("io.miaobu.server.deploy.OssDeployTarget");
        logger.setAdditive(false);
        logger.setLevel(Level.INFO);
        logger.addAppender(appender);
    }

    @AfterEach
    void stopContext() {
        context.stop();
    }

    @Test
    void masksSecretsInMessageArgumentsAndStackTraces() {
        String accessKey = "oss-access-" + UUID.randomUUID();
        SecretRedactor.register(accessKey);
        var cause = new RuntimeException("said {\"token\":\"st-123\"} via https://ak:" + accessKey + "@oss.example");
        var failure = new IllegalStateException("upload refused for key " + accessKey, cause);

        logger.error("Upload of site {} with {} failed", "blog", accessKey, failure);
        logger.info("Issued mbt_0123456789abcdefghijKLMNOP to alice");

        String logged = output.toString(StandardCharsets.UTF_8);
        assertThat(logged).doesNotContain(accessKey).doesNotContain("st-123").doesNotContain("0123456789abcdefghij")
                .contains("ERROR io.miaobu.server.deploy.OssDeployTarget - Upload of site blog with **** failed")
                .contains("java.lang.IllegalStateException: upload refused for key ****")
                .contains("Caused by: java.lang.RuntimeException: said {\"token\":\"****\"} via https://ak:****@oss")
                .contains("\tat " + getClass().getName() + ".masksSecretsInMessageArgumentsAndStackTraces(")
                .contains("INFO  io.miaobu.server.deploy.OssDeployTarget - Issued mbt_**** to alice");
    }

    @Test
    @SuppressWarnings("unchecked")
    void theServersConsoleAppenderRedacts() throws Exception {
        var configured = new LoggerContext();
        try {
            configured.setMDCAdapter(new LogbackMDCAdapter());
            var configurator = new JoranConfigurator();
            configurator.setContext(configured);
            configurator.doConfigure(RedactingLayout.class.getResource("/logback.xml"));

            var console = (OutputStreamAppender<ILoggingEvent>) configured.getLogger(Logger.ROOT_LOGGER_NAME)
                    .getAppender("console");
            var encoder = (LayoutWrappingEncoder<ILoggingEvent>) console.getEncoder();
            assertThat(encoder.getLayout()).isInstanceOfSatisfying(RedactingLayout.class,
                    layout -> assertThat(layout.getPattern())
                            .isEqualTo("%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level [%thread] %logger{36} - %msg%n"));
        } finally {
            configured.stop();
        }
    }
}
