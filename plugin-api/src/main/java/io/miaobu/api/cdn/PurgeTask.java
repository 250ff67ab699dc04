package io.miaobu.api.cdn;

/**
 * A cache purge at the CDN.
 *
 * @param id     the CDN's task id
 * @param status its state
 */
public record PurgeTask(String id, Status status) {

    /** States of a purge. */
    public enum Status { RUNNING, COMPLETE, FAILED }
}
