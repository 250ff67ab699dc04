package io.miaobu.server.notify;

import io.miaobu.api.notify.EventKind;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * Where notifications go: a notifier (extension id) with its channel settings, and the event kinds wanted.
 *
 * @param projectId  the project of a PROJECT channel, or the one project a USER channel is limited to (null: all the
 *                   user's projects)
 * @param userId     the owner of a USER channel
 * @param recipients email addresses, for a notifier that addresses people on a SERVER or PROJECT channel (a USER
 *                   channel goes to its owner's address)
 */
public record Channel(long id, Scope scope, Long projectId, Long userId, String notifier, String name,
                      Set<EventKind> events, List<String> recipients, boolean enabled, Long createdBy,
                      Instant createdAt) {

    /** Whose channel it is. */
    public enum Scope {
        /** The admins': server events, and project events of every project. */
        SERVER,
        /** A project's, managed by its maintainers and owners. */
        PROJECT,
        /** One person's own subscription. */
        USER
    }

    /** Where this channel's settings are stored (see ExtensionSettings). */
    String settingsKey() {
        return settingsKey(id);
    }

    static String settingsKey(long channelId) {
        return "channel:" + channelId;
    }
}
