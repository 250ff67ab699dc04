package io.miaobu.server.notify;

import io.miaobu.api.notify.EventKind;
import io.miaobu.server.web.UserFacingException;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** Event kinds as subscriptions store and accept them: stable names, comma-separated. */
public final class EventKinds {

    /**
     * What a channel gets when it names no events, and what project members with an email address get without a
     * subscription of their own: failures, fixes, and certificates that will not renew.
     */
    public static final Set<EventKind> DEFAULTS = EnumSet.of(EventKind.DEPLOYMENT_FAILED, EventKind.DEPLOYMENT_FIXED,
            EventKind.CERTIFICATE_RENEWAL_FAILING, EventKind.CERTIFICATE_EXPIRING);

    /** Every kind a subscription can name (all but the test button's). */
    public static final List<EventKind> SUBSCRIBABLE = Arrays.stream(EventKind.values())
            .filter(kind -> kind != EventKind.TEST).toList();

    private EventKinds() {
    }

    /**
     * Parses names from a request.
     *
     * @throws UserFacingException 400 on the field {@code events} naming an unknown kind
     */
    public static Set<EventKind> parse(Collection<String> names) {
        if (names == null || names.isEmpty()) {
            return EnumSet.copyOf(DEFAULTS);
        }
        Set<EventKind> kinds = EnumSet.noneOf(EventKind.class);
        for (String name : names) {
            String trimmed = name == null ? "" : name.strip();
            kinds.add(EventKind.byWireName(trimmed).filter(SUBSCRIBABLE::contains)
                    .orElseThrow(() -> UserFacingException.invalid("events", "Unknown event '" + abbreviate(trimmed)
                            + "'. Known: " + SUBSCRIBABLE.stream().map(EventKind::wireName)
                            .collect(Collectors.joining(", ")) + ".")));
        }
        return kinds;
    }

    static String store(Set<EventKind> kinds) {
        return kinds.stream().map(EventKind::wireName).sorted().collect(Collectors.joining(","));
    }

    static Set<EventKind> load(String stored) {
        Set<EventKind> kinds = EnumSet.noneOf(EventKind.class);
        if (stored != null) {
            for (String name : stored.split(",")) {
                EventKind.byWireName(name.strip()).ifPresent(kinds::add);
            }
        }
        return kinds;
    }

    private static String abbreviate(String text) {
        return text.length() > 60 ? text.substring(0, 60) + "…" : text;
    }
}
