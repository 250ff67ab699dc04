package io.miaobu.api.cdn;

/**
 * A domain's state on the CDN.
 *
 * @param domain  the domain
 * @param status  its state
 * @param cname   the host name the user must point a CNAME at
 * @param message detail for the user, or an empty string
 */
public record DomainBinding(String domain, Status status, String cname, String message) {

    /** States of a domain on the CDN. */
    public enum Status { CONFIGURING, ONLINE, OFFLINE, FAILED }
}
