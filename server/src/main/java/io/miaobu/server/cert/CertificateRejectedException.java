package io.miaobu.server.cert;

/**
 * A certificate or private key the user gave that cannot be used, with a message meant for them: it says what is wrong
 * and how to fix it, and never holds key material. Carries no stack trace and no cause, so nothing from the parser
 * reaches a page or a log line by accident.
 */
public final class CertificateRejectedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Which of the two inputs the user should correct. */
    public enum Input {
        CERTIFICATE_CHAIN,
        PRIVATE_KEY
    }

    private final Input input;

    CertificateRejectedException(Input input, String message) {
        super(message, null, false, false);
        this.input = input;
    }

    public Input input() {
        return input;
    }
}
