package io.miaobu.server.domain;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.Lookup;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * Asks DNS whether a custom domain is owned (TXT {@code _miaobu-challenge.<host>} holds its token) and routed here
 * (a CNAME to the expected target, or for an apex A/AAAA records all among the server's addresses) or to the CDN that
 * serves it. Blocking; every call asks the resolver afresh (no cache), since users fix their records and press "Check
 * now".
 */
public final class DnsCheck {

    /** What a check found: the new status, the reason in words (null when active), and whether ownership is proven. */
    public record Outcome(DomainStatus status, String reason, boolean owned) {
    }

    private final Resolver resolver;
    private final Set<InetAddress> addresses;

    /** @param addresses the server's public addresses an apex's A/AAAA records must point to; empty: CNAME only */
    public DnsCheck(Resolver resolver, Set<InetAddress> addresses) {
        this.resolver = resolver;
        this.addresses = Set.copyOf(addresses);
    }

    /**
     * @param alreadyOwned   ownership was proven before: the TXT record is not asked again
     * @param expectedTarget the host a CNAME must point to
     */
    public Outcome check(String host, String token, boolean alreadyOwned, String expectedTarget) {
        if (!alreadyOwned) {
            Outcome ownership = ownership(host, token);
            if (!ownership.owned()) {
                return ownership;
            }
        }
        Outcome byCname = cname(host, expectedTarget);
        if (byCname != null) {
            return byCname;
        }
        Addresses found = addresses(host);
        if (found.failure != null) {
            return found.failure;
        }
        if (found.addresses.isEmpty()) {
            return new Outcome(DomainStatus.PENDING_DNS, "No CNAME " + host + " to " + expectedTarget
                    + (addresses.isEmpty() ? "" : " (or A/AAAA record to " + list(addresses) + ")") + " found yet",
                    true);
        }
        if (addresses.isEmpty()) {
            return new Outcome(DomainStatus.ERROR, "A/AAAA " + host + " points to " + list(found.addresses)
                    + "; this server accepts a CNAME to " + expectedTarget + " only", true);
        }
        var foreign = new ArrayList<>(found.addresses);
        foreign.removeAll(addresses);
        if (!foreign.isEmpty()) {
            return new Outcome(DomainStatus.ERROR, "A/AAAA " + host + " points to " + list(foreign)
                    + ", expected " + list(addresses), true);
        }
        return new Outcome(DomainStatus.ACTIVE, null, true);
    }

    /**
     * Whether the TXT record {@code _miaobu-challenge.<host>} holds the token: an outcome that is {@link
     * Outcome#owned()} (its status then {@link DomainStatus#PENDING_DNS}, routing not asked yet), or the one to store.
     */
    public Outcome ownership(String host, String token) {
        String txtName = CustomDomain.CHALLENGE_LABEL + "." + host;
        Answer txt = ask(txtName, Type.TXT);
        if (txt.failure != null) {
            return new Outcome(DomainStatus.ERROR, "DNS lookup of TXT " + txtName + " failed: " + txt.failure, false);
        }
        if (txt.records.isEmpty()) {
            return new Outcome(DomainStatus.PENDING_OWNERSHIP, "TXT " + txtName + " not found", false);
        }
        boolean owned = txt.records.stream().filter(TXTRecord.class::isInstance)
                .map(r -> String.join("", ((TXTRecord) r).getStrings())).anyMatch(token::equals);
        if (!owned) {
            return new Outcome(DomainStatus.PENDING_OWNERSHIP,
                    "TXT " + txtName + " does not hold this domain's token", false);
        }
        return new Outcome(DomainStatus.PENDING_DNS, null, true);
    }

    /**
     * Whether an owned domain leads to a CDN: a CNAME to the host the CDN gave, or, for an apex with an ALIAS/ANAME or
     * a flattened CNAME (which DNS answers with addresses), A/AAAA records sharing an address with that host's. The
     * server's own {@code domains.addresses} play no part: the CDN serves the domain, not this server.
     *
     * @param cdnName the CDN's name, for the reason
     */
    public Outcome routedToCdn(String host, String cdnTarget, String cdnName) {
        Outcome byCname = cname(host, cdnTarget);
        if (byCname != null) {
            return byCname;
        }
        Addresses found = addresses(host);
        if (found.failure != null) {
            return found.failure;
        }
        if (found.addresses.isEmpty()) {
            return new Outcome(DomainStatus.PENDING_DNS, "No CNAME " + host + " to " + cdnTarget + " found yet", true);
        }
        Addresses cdn = addresses(cdnTarget);
        if (cdn.failure != null) {
            return cdn.failure;
        }
        if (cdn.addresses.stream().anyMatch(found.addresses::contains)) {
            return new Outcome(DomainStatus.ACTIVE, null, true);
        }
        return new Outcome(DomainStatus.ERROR, "A/AAAA " + host + " points to " + list(found.addresses)
                + ", not to " + cdnName + " (" + cdnTarget + (cdn.addresses.isEmpty() ? ""
                : " is " + list(cdn.addresses)) + "); create a CNAME record to " + cdnTarget
                + ", or for an apex domain an ALIAS/ANAME (CNAME flattening) record", true);
    }

    /** The outcome decided by the host's CNAME record; null when it has none. */
    private Outcome cname(String host, String expectedTarget) {
        Answer cname = ask(host, Type.CNAME);
        if (cname.failure != null) {
            return new Outcome(DomainStatus.ERROR, "DNS lookup of CNAME " + host + " failed: " + cname.failure, true);
        }
        var cnames = cname.records.stream().filter(CNAMERecord.class::isInstance)
                .map(r -> hostOf(((CNAMERecord) r).getTarget())).toList();
        if (cnames.isEmpty()) {
            return null;
        }
        String target = cnames.get(0);
        if (target.equals(expectedTarget)) {
            return new Outcome(DomainStatus.ACTIVE, null, true);
        }
        return new Outcome(DomainStatus.ERROR, "CNAME " + host + " points to " + target + ", expected "
                + expectedTarget, true);
    }

    /** A name's A and AAAA addresses, or the outcome of failing to ask. */
    private record Addresses(Set<InetAddress> addresses, Outcome failure) {
    }

    private Addresses addresses(String host) {
        var found = new LinkedHashSet<InetAddress>();
        for (int type : new int[] {Type.A, Type.AAAA}) {
            Answer answer = ask(host, type);
            if (answer.failure != null) {
                return new Addresses(Set.of(), new Outcome(DomainStatus.ERROR, "DNS lookup of " + Type.string(type)
                        + " " + host + " failed: " + answer.failure, true));
            }
            for (Record record : answer.records) {
                if (record instanceof ARecord a) {
                    found.add(a.getAddress());
                } else if (record instanceof AAAARecord aaaa) {
                    found.add(aaaa.getAddress());
                }
            }
        }
        return new Addresses(found, null);
    }

    private record Answer(List<Record> records, String failure) {
    }

    private Answer ask(String name, int type) {
        Lookup lookup;
        try {
            lookup = new Lookup(Name.fromString(name + "."), type);
        } catch (TextParseException e) {
            return new Answer(List.of(), "bad name " + name);
        }
        lookup.setResolver(resolver);
        lookup.setCache(null);
        Record[] records = lookup.run();
        return switch (lookup.getResult()) {
            case Lookup.SUCCESSFUL -> new Answer(records == null ? List.of() : List.of(records), null);
            case Lookup.HOST_NOT_FOUND, Lookup.TYPE_NOT_FOUND -> new Answer(List.of(), null);
            default -> new Answer(List.of(), lookup.getErrorString());
        };
    }

    private static String hostOf(Name name) {
        String text = name.toString(true);
        return text.toLowerCase(Locale.ROOT);
    }

    private static String list(java.util.Collection<InetAddress> addresses) {
        return addresses.stream().map(InetAddress::getHostAddress).sorted().collect(Collectors.joining(", "));
    }
}
