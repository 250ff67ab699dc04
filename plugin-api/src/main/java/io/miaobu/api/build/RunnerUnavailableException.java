package io.miaobu.api.build;

import io.miaobu.api.ExtensionException;

/**
 * A {@link BuildRunner} cannot run anything right now, for a reason outside the build (its container engine is down or
 * unreachable). The host may then run the build on another runner, if its admin allowed that; any other
 * {@link ExtensionException} fails the build.
 */
public class RunnerUnavailableException extends ExtensionException {

    private static final long serialVersionUID = 1L;

    public RunnerUnavailableException(String userMessage, Throwable cause) {
        super(userMessage, cause);
    }
}
