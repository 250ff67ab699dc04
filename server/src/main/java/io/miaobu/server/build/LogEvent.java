package io.miaobu.server.build;

/** What a follower of a build log receives. */
public sealed interface LogEvent {

    /** A log line; {@code number} counts from 1 and is the SSE event id. */
    record Line(long number, String text) implements LogEvent {
    }

    /** The deployment entered a status. */
    record Status(DeploymentStatus status) implements LogEvent {
    }

    /** The log is complete. */
    record End() implements LogEvent {
    }
}
