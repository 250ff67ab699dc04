package io.miaobu.api.host;

import io.miaobu.api.ExtensionException;

/**
 * An outgoing request was refused because its host resolves to an address the admin has not allowed (loopback,
 * private networks, ...). The message names the host and the address; retrying cannot help.
 */
public class AddressNotAllowedException extends ExtensionException {

    private static final long serialVersionUID = 1L;

    public AddressNotAllowedException(String userMessage) {
        super(userMessage);
    }
}
