package io.miaobu.server.webhook;

/** What became of a webhook delivery. */
public enum DeliveryOutcome {
    /** Acted on: a deployment queued, a preview removed, a ping answered. */
    PROCESSED,
    /** Authentic, but nothing to do; the reason says why (branch not deployed, duplicate delivery, ...). */
    IGNORED,
    /** Not accepted: wrong signature, unknown project, unknown event, body too large. */
    REFUSED,
    /** Accepted, but acting on it failed (e.g. the queue refused); it can be redelivered. */
    FAILED
}
