package io.miaobu.server.boot;

import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The built-in HTTPS connector.
 *
 * @param port        the port to listen on for HTTPS (0: any free one); empty: no HTTPS connector
 * @param publicPort  the port visitors reach HTTPS at (443 behind nothing; a forwarded port otherwise), for the
 *                    redirect from HTTP
 * @param redirect    whether site requests over plain HTTP for a host with a certificate are redirected to HTTPS
 * @param certificate the PEM chain presented when no certificate for the requested name is served; with
 *                    {@code key}. Empty: a self-signed one for the public URL's host, made at start
 * @param key         the PEM private key of {@code certificate}
 */
public record TlsConfig(OptionalInt port, int publicPort, boolean redirect, Optional<Path> certificate,
                        Optional<Path> key) {

    public static TlsConfig disabled() {
        return new TlsConfig(OptionalInt.empty(), 443, true, Optional.empty(), Optional.empty());
    }

    public boolean enabled() {
        return port.isPresent();
    }

    /** Whether plain-HTTP site requests for a host with a certificate go to HTTPS. */
    public boolean redirects() {
        return enabled() && redirect;
    }
}
