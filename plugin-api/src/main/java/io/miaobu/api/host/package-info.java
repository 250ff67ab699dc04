/**
 * Services the host lends to extensions. An extension's constructor may take only types from this package (and
 * {@link java.time.Clock}); the host's {@code ExtensionFactory} supplies them. Plugins get no database and no server
 * internals.
 */
package io.miaobu.api.host;
