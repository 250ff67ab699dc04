/**
 * The Miaobu plugin API: the only contract a plugin compiles against.
 *
 * <p>Every extension point extends {@link io.miaobu.api.MiaobuExtension}. Implementations are stateless, thread-safe
 * singletons: the host creates one instance per extension class (through its own {@code ExtensionFactory}, which passes
 * only types from {@link io.miaobu.api.host} to constructors) and calls it from many threads at once. Configuration and
 * secrets arrive as parameters on every call and are never kept in fields.
 *
 * <p>Methods may block; they must honour {@link java.lang.Thread#interrupt() interruption} (a cancelled build interrupts
 * the thread running it) and report failures a user can act on by throwing {@link io.miaobu.api.ExtensionException}.
 * The host catches everything an extension throws: a failing plugin fails the operation it was asked to do, never the
 * server.
 *
 * <p>Compatibility: this package follows semantic versioning. Within a major version, types are only added to; a
 * method added to an extension point always has a default implementation.
 */
package io.miaobu.api;
