package io.miaobu.server.build;

import java.time.Instant;

/** When a deployment entered a status. */
public record StatusChange(long deploymentId, DeploymentStatus status, Instant changedAt) {
}
