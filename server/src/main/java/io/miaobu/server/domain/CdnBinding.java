package io.miaobu.server.domain;

import io.miaobu.api.cdn.DomainBinding;
import java.time.Instant;
import java.util.Locale;

/**
 * Where a custom domain stands at the CDN that serves it (the {@code CdnProvider} of its project's deploy target).
 *
 * @param provider    the CDN's extension id
 * @param requestedAt when the core first asked the CDN to bind the domain (only after ownership was proven); null
 *                    before: nothing of it is at the CDN
 * @param cname       the host the CDN told us the domain's CNAME must point to; null until it gave one
 * @param status      the CDN's own state; null until it answered once
 * @param message     the CDN's detail for the user; null when it gave none
 * @param error       why the last call to the CDN failed, in words; null once one succeeded again
 */
public record CdnBinding(String provider, Instant requestedAt, String cname, DomainBinding.Status status,
                         String message, String error) {

    /** A domain of a project served by {@code provider}, not asked for at the CDN yet. */
    static CdnBinding notRequested(String provider) {
        return new CdnBinding(provider, null, null, null, null, null);
    }

    /** Whether the CDN has given the CNAME target. */
    public boolean bound() {
        return cname != null && !cname.isBlank();
    }

    CdnBinding answered(Instant requested, DomainBinding binding) {
        String target = binding.cname() == null || binding.cname().isBlank() ? null
                : hostName(binding.cname());
        String detail = binding.message() == null || binding.message().isBlank() ? null : binding.message();
        return new CdnBinding(provider, requested, target, binding.status(), detail, null);
    }

    CdnBinding failed(Instant requested, String reason) {
        return new CdnBinding(provider, requested, cname, status, message, reason);
    }

    /** Nothing of the domain is at the CDN any more (it was unbound). */
    CdnBinding unbound() {
        return notRequested(provider);
    }

    /** As DNS answers compare: lower case, no trailing dot. */
    private static String hostName(String name) {
        String host = name.strip().toLowerCase(Locale.ROOT);
        return host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
    }
}
