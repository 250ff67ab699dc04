/** Creating and deleting DNS records at a DNS host: {@link io.miaobu.api.dns.DnsProvider}. */
package io.miaobu.api.dns;
