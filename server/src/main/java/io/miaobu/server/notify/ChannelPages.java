package io.miaobu.server.notify;

import io.miaobu.api.config.ConfigField;
import io.miaobu.api.config.ConfigFieldType;
import io.miaobu.api.notify.EventKind;
import io.miaobu.api.notify.Notifier;
import io.miaobu.server.audit.Actor;
import io.miaobu.server.auth.User;
import io.miaobu.server.plugin.ExtensionSettings;
import io.miaobu.server.web.Formats;
import io.miaobu.server.web.PageRenderer;
import io.miaobu.server.web.UserFacingException;
import jakarta.ws.rs.core.Form;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the three channel pages (a project's, a person's, the admins') share: reading the channel form, the models of
 * the list and of one channel, and the actions every scope has. Each page resource checks first that the channel
 * belongs to the scope in its path, as the APIs do.
 *
 * <p>The form's fields: {@code notifier} (on creation), {@code name}, {@code events} (repeated), {@code recipients}
 * (addresses, for a notifier that addresses people), {@code enabled}, and the notifier's channel settings as
 * {@code setting.<name>}, with {@code clear.<name>} to remove a stored secret.
 */
public final class ChannelPages {

    static final String SETTING = "setting.";
    static final String CLEAR = "clear.";
    private static final int DELIVERIES_SHOWN = 50;
    private static final int FLASH_DETAIL = 300;

    private final NotificationChannels channels;
    private final ChannelApiSupport support;
    private final PageRenderer pages;

    public ChannelPages(NotificationChannels channels, ChannelApiSupport support, PageRenderer pages) {
        this.channels = channels;
        this.support = support;
        this.pages = pages;
    }

    /**
     * Where a scope's channel pages live.
     *
     * @param base the list page, e.g. {@code /projects/7/notifications}; a channel's page is {@code base/<id>}
     */
    public record Place(Channel.Scope scope, Long projectId, Long userId, String base) {

        String channelPage(long channelId) {
            return base + "/" + channelId;
        }
    }

    /** The channel with this id if it belongs to the place; 404 otherwise, as for a channel that does not exist. */
    public Channel find(Place place, long channelId) {
        return channels.find(channelId)
                .filter(channel -> channel.scope() == place.scope())
                .filter(channel -> place.projectId() == null || place.projectId().equals(channel.projectId()))
                .filter(channel -> place.userId() == null || place.userId().equals(channel.userId()))
                .orElseThrow(() -> UserFacingException.notFound("No notification channel " + channelId + " here."));
    }

    // ---- models

    /**
     * The list page's shared model: the place's channels, the installed notifiers, the add form for the chosen one
     * ({@code notifierId}, or the first installed), the event kinds with the defaults.
     */
    public Map<String, Object> listModel(Place place, String notifierId, boolean canEdit, Map<String, String> errors,
                                         Map<String, Object> form) {
        var model = new HashMap<String, Object>();
        model.put("base", place.base());
        model.put("canEdit", canEdit);
        model.put("channels", channels.list(place.scope(), place.projectId(), place.userId()).stream()
                .map(channel -> row(place, channel)).toList());
        List<ChannelApiSupport.NotifierView> installed = support.notifiers();
        model.put("notifiers", installed.stream().map(n -> Map.of("id", n.id(), "name", n.name())).toList());
        Optional<ChannelApiSupport.NotifierView> chosen = installed.stream()
                .filter(n -> n.id().equals(notifierId)).findFirst()
                .or(() -> installed.stream().findFirst());
        chosen.ifPresent(n -> model.put("notifier", Map.of("id", n.id(), "name", n.name(),
                "recipients", n.deliversToPeople() && place.scope() != Channel.Scope.USER,
                "fields", fields(n.channelSettings(), form))));
        model.put("events", eventNames(EventKinds.SUBSCRIBABLE));
        model.put("form", form == null ? blankForm() : form);
        model.put("errors", errors);
        return model;
    }

    /** One channel's page: what it is, its settings form (or its settings read-only), its recent deliveries. */
    public Map<String, Object> channelModel(Place place, Channel channel, boolean canEdit, Map<String, String> errors,
                                            Map<String, Object> form) {
        Optional<Notifier> notifier = channels.installed().stream()
                .filter(n -> n.id().equals(channel.notifier())).findFirst();
        var view = new HashMap<>(row(place, channel));
        view.put("installed", notifier.isPresent());
        view.put("takesRecipients", notifier.map(Notifier::deliversToPeople).orElse(false)
                && place.scope() != Channel.Scope.USER);
        view.put("fields", fields(channels.settingsView(channel), form));
        var model = new HashMap<String, Object>();
        model.put("base", place.base());
        model.put("canEdit", canEdit);
        model.put("channel", view);
        model.put("events", eventNames(EventKinds.SUBSCRIBABLE));
        model.put("deliveries", support.deliveries(channel, DELIVERIES_SHOWN).stream()
                .map(ChannelPages::delivery).toList());
        model.put("form", form != null ? form : Map.of("name", channel.name(),
                "events", eventNames(channel.events()), "recipients", String.join("\n", channel.recipients()),
                "enabled", channel.enabled()));
        model.put("errors", errors);
        return model;
    }

    /** The add form as a fresh page shows it: no name, the default events, enabled. */
    public static Map<String, Object> blankForm() {
        return Map.of("name", "", "events", eventNames(EventKinds.DEFAULTS), "recipients", "", "enabled", true);
    }

    /** What was typed, to show the form again after an error; never a secret. */
    public static Map<String, Object> submitted(Form form) {
        var values = form.asMap();
        var echo = new HashMap<String, Object>();
        echo.put("name", first(form, "name"));
        echo.put("events", values.getOrDefault("events", List.of()));
        echo.put("recipients", first(form, "recipients"));
        echo.put("enabled", values.containsKey("enabled"));
        var settings = new HashMap<String, String>();
        values.forEach((name, list) -> {
            if (name.startsWith(SETTING) && !list.isEmpty()) {
                settings.put(name.substring(SETTING.length()), list.get(0));
            }
        });
        echo.put("settings", settings);
        return echo;
    }

    /** The generated secrets of a channel just created, labelled, for the page that shows them this once. */
    public Map<String, Object> newSecrets(NotificationChannels.Created created) {
        var labels = new HashMap<String, String>();
        channels.notifier(created.channel().notifier()).channelSettings().fields()
                .forEach(field -> labels.put(field.name(), field.label()));
        var secrets = new ArrayList<Map<String, String>>();
        created.generatedSecrets().forEach((name, value) -> secrets.add(Map.of("name", name,
                "label", labels.getOrDefault(name, name), "value", value)));
        return Map.of("channel", created.channel().name(), "secrets", secrets);
    }

    // ---- actions

    /**
     * Creates a channel from the add form.
     *
     * @throws UserFacingException 400 naming the form field at fault (a setting's as {@code setting.<name>})
     */
    public NotificationChannels.Created create(Place place, Form form, Actor actor) {
        String notifierId = first(form, "notifier");
        Notifier notifier = channels.notifier(notifierId);
        try {
            return channels.create(place.scope(), place.projectId(), place.userId(),
                    request(form, notifier, place.scope(), true), actor);
        } catch (UserFacingException e) {
            throw onForm(e, notifier);
        }
    }

    /** Changes a channel from its settings form; the notifier stays. */
    public Channel update(Channel channel, Form form, Actor actor) {
        Notifier notifier = channels.notifier(channel.notifier());
        try {
            return channels.update(channel, request(form, notifier, channel.scope(), false), actor);
        } catch (UserFacingException e) {
            throw onForm(e, notifier);
        }
    }

    public Response setEnabled(Place place, Channel channel, boolean enabled, Actor actor) {
        channels.update(channel, new NotificationChannels.ChannelRequest(null, null, null, null, enabled, null, null),
                actor);
        return pages.redirect(place.base(), (enabled ? "Enabled " : "Disabled ") + channel.name() + ".");
    }

    public Response delete(Place place, Channel channel, Actor actor) {
        channels.delete(channel, actor);
        return pages.redirect(place.base(), "Deleted " + channel.name() + ".");
    }

    /** Sends a test now and tells what the receiver answered, on the page named by {@code back}. */
    public Response test(Place place, Channel channel, User caller, String back) {
        String target = "channel".equals(back) ? place.channelPage(channel.id()) : place.base();
        String message;
        try {
            message = describe(channel.name(), support.test(channel, caller));
        } catch (UserFacingException e) {
            if (e.status() == 404) {
                throw e;
            }
            message = "Test of " + channel.name() + " not sent: " + e.getMessage();
        }
        return pages.redirect(target, message);
    }

    /** A test's outcome in one line for the flash message. */
    static String describe(String what, ChannelApiSupport.TestResult result) {
        String detail = result.detail() == null || result.detail().isBlank() ? ""
                : abbreviate(result.detail().strip());
        if (result.delivered()) {
            String refused = result.refusedRecipients() == null || result.refusedRecipients().isEmpty() ? ""
                    : " Refused: " + String.join(", ", result.refusedRecipients()) + ".";
            return "Test of " + what + " delivered" + (detail.isEmpty() ? "." : ": " + detail + ".") + refused;
        }
        return "Test of " + what + " failed" + (detail.isEmpty() ? "." : ": " + detail);
    }

    // ---- helpers

    private static NotificationChannels.ChannelRequest request(Form form, Notifier notifier, Channel.Scope scope,
                                                               boolean creating) {
        var values = form.asMap();
        List<String> events = values.getOrDefault("events", List.of()).stream()
                .filter(event -> !event.isBlank()).toList();
        if (events.isEmpty()) {
            // the API treats "no events" as the defaults; a form with every box unticked means something else
            throw UserFacingException.invalid("events", "Choose at least one event.");
        }
        List<String> recipients = null;
        if (notifier.deliversToPeople() && scope != Channel.Scope.USER) {
            recipients = List.of(Optional.ofNullable(first(form, "recipients")).orElse(""));
        } else if (creating) {
            recipients = List.of();
        }
        var settings = new HashMap<String, String>();
        var clear = new HashSet<String>();
        for (ConfigField field : notifier.channelSettings().fields()) {
            String value = first(form, SETTING + field.name());
            if (field.type() == ConfigFieldType.BOOLEAN) {
                settings.put(field.name(), Boolean.toString(value != null));
            } else if (value != null) {
                settings.put(field.name(), value);
            }
            if (field.secret() && values.containsKey(CLEAR + field.name())) {
                clear.add(field.name());
            }
        }
        return new NotificationChannels.ChannelRequest(notifier.id(), first(form, "name"), events, recipients,
                values.containsKey("enabled"), settings, Set.copyOf(clear));
    }

    /** The error on the form's own name for a channel setting. */
    private static UserFacingException onForm(UserFacingException e, Notifier notifier) {
        if (e.field() != null && notifier.channelSettings().fields().stream()
                .anyMatch(field -> field.name().equals(e.field()))) {
            return new UserFacingException(e.status(), e.code(), e.getMessage(), SETTING + e.field());
        }
        return e;
    }

    private Map<String, Object> row(Place place, Channel channel) {
        var row = new HashMap<String, Object>();
        row.put("id", channel.id());
        row.put("name", channel.name());
        row.put("notifier", channel.notifier());
        row.put("notifierName", channels.installed().stream().filter(n -> n.id().equals(channel.notifier()))
                .map(Notifier::displayName).findFirst().orElse(channel.notifier()));
        row.put("events", eventNames(channel.events()));
        row.put("recipients", channel.recipients());
        row.put("enabled", channel.enabled());
        row.put("createdAt", Formats.dateTime(channel.createdAt()));
        row.put("createdAtIso", Formats.iso(channel.createdAt()));
        row.put("url", place.channelPage(channel.id()));
        return row;
    }

    /** Settings fields as the settings macro takes them; after an error, the non-secret values as typed. */
    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> fields(List<ExtensionSettings.FieldView> views, Map<String, Object> form) {
        Map<String, String> typed = form == null ? Map.of()
                : (Map<String, String>) form.getOrDefault("settings", Map.of());
        return views.stream().map(f -> {
            var field = new HashMap<String, Object>();
            field.put("name", f.name());
            field.put("label", f.label());
            field.put("help", f.help());
            field.put("type", f.type());
            field.put("required", f.required());
            field.put("secret", f.secret());
            field.put("value", f.secret() ? null : typed.getOrDefault(f.name(), f.value()));
            field.put("isSet", f.isSet());
            field.put("options", f.options());
            return (Map<String, Object>) field;
        }).toList();
    }

    static Map<String, Object> delivery(NotificationDeliveries.Delivery d) {
        var row = new LinkedHashMap<String, Object>();
        row.put("id", d.id());
        row.put("event", d.event());
        row.put("summary", d.summary());
        row.put("status", d.status());
        row.put("attempts", d.attempts());
        row.put("statusCode", d.statusCode());
        row.put("detail", d.detail());
        row.put("recipient", d.recipient());
        row.put("refused", d.refused());
        row.put("notifier", d.notifier());
        row.put("channelId", d.channelId());
        row.put("projectId", d.projectId());
        row.put("createdAt", Formats.dateTime(d.createdAt()));
        row.put("createdAtIso", Formats.iso(d.createdAt()));
        row.put("finishedAt", Formats.dateTime(d.finishedAt()));
        row.put("finishedAtIso", Formats.iso(d.finishedAt()));
        row.put("nextAttemptAt", "PENDING".equals(d.status()) ? Formats.dateTime(d.nextAttemptAt()) : "");
        row.put("nextAttemptAtIso", "PENDING".equals(d.status()) ? Formats.iso(d.nextAttemptAt()) : "");
        return row;
    }

    private static List<String> eventNames(java.util.Collection<EventKind> kinds) {
        return kinds.stream().map(EventKind::wireName).toList();
    }

    private static String first(Form form, String name) {
        List<String> values = form.asMap().get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    private static String abbreviate(String text) {
        String flat = text.replaceAll("\\s+", " ");
        return flat.length() > FLASH_DETAIL ? flat.substring(0, FLASH_DETAIL) + "…" : flat;
    }
}
