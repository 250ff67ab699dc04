package io.miaobu.server.notify;

import io.miaobu.api.notify.EventKind;
import io.miaobu.api.notify.Notifier;
import io.miaobu.server.audit.Actor;
import io.miaobu.server.audit.AuditAction;
import io.miaobu.server.audit.AuditLog;
import io.miaobu.server.plugin.ExtensionRegistry;
import io.miaobu.server.plugin.ExtensionSettings;
import io.miaobu.server.web.UserFacingException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Jdbi;

/**
 * Creates, changes and lists notification channels of the three scopes. Their settings are the notifier's
 * {@code channelSettings()}, stored like extension settings (secrets sealed, write-only); a generated secret (a
 * webhook's signing secret) is returned once, on creation.
 */
public final class NotificationChannels {

    /** An address as people type them: something@domain.tld, no spaces or brackets. */
    public static final Pattern EMAIL = Pattern.compile("[^\\s@<>,;\"]{1,64}@[A-Za-z0-9.-]{1,253}\\.[A-Za-z]{2,63}");
    private static final int MAX_RECIPIENTS = 50;

    private final Jdbi jdbi;
    private final ExtensionRegistry extensions;
    private final ExtensionSettings settings;
    private final AuditLog audit;
    private final Clock clock;

    public NotificationChannels(Jdbi jdbi, ExtensionRegistry extensions, ExtensionSettings settings, AuditLog audit,
                                Clock clock) {
        this.jdbi = jdbi;
        this.extensions = extensions;
        this.settings = settings;
        this.audit = audit;
        this.clock = clock;
    }

    /**
     * What a user asks for. Null fields keep the stored value on change ({@code settings}: secrets left empty keep
     * theirs, names in {@code clear} are removed).
     */
    public record ChannelRequest(String notifier, String name, List<String> events, List<String> recipients,
                                 Boolean enabled, Map<String, String> settings, Set<String> clear) {
    }

    /** A channel just created, with the secrets generated for it (shown this once). */
    public record Created(Channel channel, Map<String, String> generatedSecrets) {
    }

    public List<Channel> list(Channel.Scope scope, Long projectId, Long userId) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT * FROM notification_channels WHERE scope = :scope"
                        + (projectId != null ? " AND project_id = :project" : "")
                        + (userId != null ? " AND user_id = :user" : "") + " ORDER BY id")
                .bind("scope", scope.name())
                .bind("project", projectId)
                .bind("user", userId)
                .map((rs, ctx) -> read(rs))
                .list());
    }

    public Optional<Channel> find(long id) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT * FROM notification_channels WHERE id = ?")
                .bind(0, id).map((rs, ctx) -> read(rs)).findOne());
    }

    public Created create(Channel.Scope scope, Long projectId, Long userId, ChannelRequest request, Actor actor) {
        Notifier notifier = notifier(request.notifier());
        String name = name(request.name(), notifier.displayName());
        Set<EventKind> events = EventKinds.parse(request.events());
        List<String> recipients = recipients(scope, notifier, request.recipients());
        Instant now = clock.instant();
        long id = jdbi.withHandle(handle -> handle.createUpdate("""
                        INSERT INTO notification_channels (scope, project_id, user_id, notifier, name, events,
                                                           recipients, enabled, created_by, created_at)
                        VALUES (:scope, :project, :user, :notifier, :name, :events, :recipients, :enabled, :by, :at)""")
                .bind("scope", scope.name()).bind("project", projectId).bind("user", userId)
                .bind("notifier", notifier.id()).bind("name", name).bind("events", EventKinds.store(events))
                .bind("recipients", String.join(",", recipients))
                .bind("enabled", request.enabled() == null || request.enabled())
                .bind("by", actor.userId()).bind("at", now)
                .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one());
        Map<String, String> generated;
        try {
            generated = settings.store(Channel.settingsKey(id), notifier.channelSettings(),
                    request.settings() == null ? Map.of() : request.settings(),
                    request.clear() == null ? Set.of() : request.clear(),
                    notifier::validateChannel);
        } catch (RuntimeException e) {
            jdbi.useHandle(handle -> handle.createUpdate("DELETE FROM notification_channels WHERE id = ?")
                    .bind(0, id).execute());
            throw e;
        }
        Channel channel = find(id).orElseThrow();
        audit.record(actor, AuditAction.CHANNEL_CREATED, target(channel), notifier.id() + " '" + name + "'");
        return new Created(channel, generated);
    }

    public Channel update(Channel channel, ChannelRequest request, Actor actor) {
        Notifier notifier = notifier(channel.notifier());
        if (request.notifier() != null && !request.notifier().equals(channel.notifier())) {
            throw UserFacingException.invalid("notifier", "A channel's notifier cannot change; create a new channel.");
        }
        String name = request.name() == null ? channel.name() : name(request.name(), notifier.displayName());
        Set<EventKind> events = request.events() == null ? channel.events() : EventKinds.parse(request.events());
        List<String> recipients = request.recipients() == null ? channel.recipients()
                : recipients(channel.scope(), notifier, request.recipients());
        boolean enabled = request.enabled() == null ? channel.enabled() : request.enabled();
        if (request.settings() != null || request.clear() != null) {
            Map<String, String> submitted = new java.util.HashMap<>(request.settings() == null ? Map.of()
                    : request.settings());
            settings.store(channel.settingsKey(), notifier.channelSettings(), submitted,
                    request.clear() == null ? Set.of() : request.clear(),
                    notifier::validateChannel);
        }
        jdbi.useHandle(handle -> handle.createUpdate("""
                        UPDATE notification_channels SET name = :name, events = :events, recipients = :recipients,
                               enabled = :enabled WHERE id = :id""")
                .bind("name", name).bind("events", EventKinds.store(events))
                .bind("recipients", String.join(",", recipients)).bind("enabled", enabled).bind("id", channel.id())
                .execute());
        Channel changed = find(channel.id()).orElseThrow();
        audit.record(actor, AuditAction.CHANNEL_CHANGED, target(changed), "events: " + EventKinds.store(events)
                + (enabled ? "" : " (disabled)"));
        return changed;
    }

    public void delete(Channel channel, Actor actor) {
        jdbi.useTransaction(handle -> {
            handle.createUpdate("DELETE FROM notification_channels WHERE id = ?").bind(0, channel.id()).execute();
            handle.createUpdate("DELETE FROM plugin_settings WHERE extension = ?").bind(0, channel.settingsKey())
                    .execute();
        });
        audit.record(actor, AuditAction.CHANNEL_DELETED, target(channel), channel.notifier() + " '" + channel.name()
                + "'");
    }

    /** The channel's settings form: never a secret's value. */
    public List<ExtensionSettings.FieldView> settingsView(Channel channel) {
        return extensions.find(Notifier.class, channel.notifier())
                .map(notifier -> settings.view(channel.settingsKey(), notifier.channelSettings()))
                .orElse(List.of());
    }

    /** The installed notifier with this id; 400 when there is none. */
    Notifier notifier(String id) {
        if (id == null || id.isBlank()) {
            throw UserFacingException.invalid("notifier", "Choose a notifier (" + installedIds() + ").");
        }
        return extensions.find(Notifier.class, id.strip()).orElseThrow(() -> UserFacingException.invalid("notifier",
                "No notifier '" + abbreviate(id) + "' is installed (installed: " + installedIds() + ")."));
    }

    public List<Notifier> installed() {
        return extensions.all(Notifier.class);
    }

    private String installedIds() {
        List<String> ids = installed().stream().map(Notifier::id).toList();
        return ids.isEmpty() ? "none" : String.join(", ", ids);
    }

    private static String name(String requested, String fallback) {
        String name = requested == null || requested.isBlank() ? fallback : requested.strip();
        if (name.length() > 100) {
            throw UserFacingException.invalid("name", "At most 100 characters.");
        }
        if (name.chars().anyMatch(c -> c < 0x20)) {
            throw UserFacingException.invalid("name", "Control characters are not allowed here.");
        }
        return name;
    }

    private static List<String> recipients(Channel.Scope scope, Notifier notifier, List<String> requested) {
        List<String> given = requested == null ? List.of() : requested.stream()
                .flatMap(entry -> Arrays.stream((entry == null ? "" : entry).split("[,\\s]+")))
                .map(String::strip).filter(entry -> !entry.isEmpty()).distinct().toList();
        if (!notifier.deliversToPeople() || scope == Channel.Scope.USER) {
            if (!given.isEmpty()) {
                throw UserFacingException.invalid("recipients", scope == Channel.Scope.USER
                        ? "Your own channels go to your own email address (set it on your account page)."
                        : "The " + notifier.displayName() + " notifier does not send to email addresses.");
            }
            return List.of();
        }
        if (given.isEmpty()) {
            throw UserFacingException.invalid("recipients", "Give at least one email address.");
        }
        if (given.size() > MAX_RECIPIENTS) {
            throw UserFacingException.invalid("recipients", "At most " + MAX_RECIPIENTS + " addresses.");
        }
        List<String> checked = new ArrayList<>();
        for (String address : given) {
            if (!EMAIL.matcher(address).matches()) {
                throw UserFacingException.invalid("recipients", "'" + abbreviate(address)
                        + "' is not an email address.");
            }
            checked.add(address);
        }
        return checked;
    }

    private static String target(Channel channel) {
        return switch (channel.scope()) {
            case SERVER -> "channel:" + channel.id();
            case PROJECT -> "project:" + channel.projectId() + " channel:" + channel.id();
            case USER -> "user:" + channel.userId() + " channel:" + channel.id();
        };
    }

    private static String abbreviate(String text) {
        String clean = text.replaceAll("\\p{Cntrl}", "?");
        return clean.length() > 60 ? clean.substring(0, 60) + "…" : clean;
    }

    static Channel read(ResultSet rs) throws SQLException {
        String recipients = rs.getString("recipients");
        return new Channel(rs.getLong("id"), Channel.Scope.valueOf(rs.getString("scope")),
                rs.getObject("project_id", Long.class), rs.getObject("user_id", Long.class),
                rs.getString("notifier"), rs.getString("name"), EventKinds.load(rs.getString("events")),
                recipients == null || recipients.isEmpty() ? List.of() : List.of(recipients.split(",")),
                rs.getBoolean("enabled"), rs.getObject("created_by", Long.class),
                rs.getObject("created_at", java.time.OffsetDateTime.class).toInstant());
    }
}
