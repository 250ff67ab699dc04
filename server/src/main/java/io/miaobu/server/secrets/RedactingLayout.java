package io.miaobu.server.secrets;

import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * A logback {@link PatternLayout} that passes each formatted event — message, arguments, MDC and stack trace alike —
 * through {@link SecretRedactor#redact}. Logback instantiates it from {@code logback.xml} (inside a
 * {@code LayoutWrappingEncoder}) and calls it on the logging thread; it throws nothing of its own.
 */
public class RedactingLayout extends PatternLayout {

    @Override
    public String doLayout(ILoggingEvent event) {
        return SecretRedactor.redact(super.doLayout(event));
    }
}
