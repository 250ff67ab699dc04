package io.miaobu.server.build;

import java.time.Duration;

/** Limits per stage of a build. */
public record BuildTimeouts(Duration checkout, Duration install, Duration build, Duration upload) {
}
