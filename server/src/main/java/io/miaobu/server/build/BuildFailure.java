package io.miaobu.server.build;

/** Ends a build as FAILED with a message for the user. */
final class BuildFailure extends Exception {

    private static final long serialVersionUID = 1L;

    BuildFailure(String message) {
        super(message, null, false, false);
    }
}
