package io.miaobu.server.webhook;

import java.time.Instant;

/**
 * One webhook delivery as recorded.
 *
 * @param projectId    the project it was for, or {@code null} when no such project exists
 * @param deliveryId   the source host's id of the delivery ({@code X-GitHub-Delivery}); empty when it sent none
 * @param reason       why it was ignored or refused, or what was done
 * @param httpStatus   what the sender was answered
 * @param deploymentId the deployment it queued, if any
 * @param redeliveryOf the recorded delivery this one ran again, if it is a redelivery
 * @param hasBody      whether its body was kept, so it can be redelivered
 */
public record RecordedDelivery(long id, Long projectId, String source, String deliveryId, String event,
                               Instant receivedAt, DeliveryOutcome outcome, String reason, int httpStatus,
                               Long deploymentId, Long redeliveryOf, boolean hasBody, String clientAddress) {

    /** Whether a user may run it again: its body was kept and it was authentic. */
    public boolean redeliverable() {
        return hasBody && outcome != DeliveryOutcome.REFUSED;
    }
}
