package io.miaobu.server.boot;

import java.time.Duration;

/**
 * How notifications are delivered (see docs/admin/notifications.md).
 *
 * @param attempts   tries before a delivery becomes a dead letter ({@code notifications.attempts}, default 8)
 * @param firstRetry the wait before the first retry; each next one doubles, up to an hour
 *                   ({@code notifications.retry.first}, seconds, default 30)
 * @param timeout    how long one try may take before it counts as failed ({@code notifications.timeout}, seconds,
 *                   default 30)
 * @param workers    deliveries sent at once, each to a different channel ({@code notifications.workers}, default 4)
 * @param keep       how long notifications whose deliveries all ended are kept ({@code notifications.keep.days},
 *                   default 30); dead letters stay until an admin retries or drops them
 */
public record NotificationConfig(int attempts, Duration firstRetry, Duration timeout, int workers, Duration keep) {

    public static final NotificationConfig DEFAULTS = new NotificationConfig(8, Duration.ofSeconds(30),
            Duration.ofSeconds(30), 4, Duration.ofDays(30));
}
