package io.miaobu.server.ops;

import io.miaobu.api.host.TaskLog;
import org.slf4j.Logger;

/**
 * A {@link TaskLog} for work no user watches (retention deleting a deployment, the certificate scheduler ordering a
 * certificate): what the extension reports goes to the server log, each line tagged with what it is about.
 */
public record OperatorTaskLog(Logger log, String subject) implements TaskLog {

    @Override
    public void info(String message) {
        log.info("[{}] {}", subject, message);
    }

    @Override
    public void warn(String message) {
        log.warn("[{}] {}", subject, message);
    }

    @Override
    public void error(String message) {
        log.warn("[{}] {}", subject, message);
    }

    @Override
    public void output(String chunk) {
        log.debug("[{}] {}", subject, chunk);
    }
}
