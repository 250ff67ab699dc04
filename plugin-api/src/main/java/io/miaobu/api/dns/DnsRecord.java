package io.miaobu.api.dns;

/**
 * A DNS record.
 *
 * @param name  the fully qualified name, without trailing dot ({@code _acme-challenge.example.com})
 * @param type  {@code TXT}, {@code CNAME}, {@code A}, ...
 * @param value the record's value
 * @param ttl   time to live in seconds
 */
public record DnsRecord(String name, String type, String value, int ttl) {
}
