package io.miaobu.server.notify;

import io.miaobu.api.notify.DeploymentRef;
import io.miaobu.api.notify.EventKind;
import io.miaobu.api.notify.NotificationEvent;
import io.miaobu.api.notify.Notifier;
import io.miaobu.api.notify.ProjectRef;
import io.miaobu.server.deploy.SiteUrls;
import io.miaobu.server.plugin.ExtensionRegistry;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * The notification outbox: events are stored before anything is sent, and expanded into one delivery per channel
 * (and, for notifiers that address people, per recipient) before any is tried.
 *
 * <p>Deployment events need no call from the build system: its status changes are written in the transactions that
 * make them, and {@link #collectDeploymentEvents} turns committed, not yet announced changes into events, marking
 * them announced in the same transaction. So a notifier never sees a change that was rolled back, and a crash loses
 * none. Whether a result is <em>broken</em> or <em>fixed</em> is decided against the project's previous result.
 */
public final class NotificationOutbox {

    private static final int BATCH = 200;

    private final Jdbi jdbi;
    private final ExtensionRegistry extensions;
    private final URI publicUrl;
    private final Clock clock;
    private final SiteUrls siteUrls;

    public NotificationOutbox(Jdbi jdbi, ExtensionRegistry extensions, URI publicUrl, Clock clock) {
        this(jdbi, extensions, publicUrl, clock, null);
    }

    /** @param siteUrls for the URL a {@code preview.ready} event carries; without it, the deployment's location */
    public NotificationOutbox(Jdbi jdbi, ExtensionRegistry extensions, URI publicUrl, Clock clock,
                              SiteUrls siteUrls) {
        this.jdbi = jdbi;
        this.extensions = extensions;
        this.publicUrl = publicUrl;
        this.clock = clock;
        this.siteUrls = siteUrls;
    }

    /** Stores an event in its own transaction (for changes that are already committed). */
    public void store(NotificationEvent event) {
        jdbi.useTransaction(handle -> store(handle, event));
    }

    /** Stores an event in the caller's transaction: it exists exactly when the change it reports does. */
    public long store(Handle handle, NotificationEvent event) {
        return handle.createUpdate("""
                        INSERT INTO notification_events (kind, type, project_id, payload, fanned_out, created_at)
                        VALUES (:kind, :type, :project, :payload, FALSE, :at)""")
                .bind("kind", event.kind().wireName())
                .bind("type", EventJson.typeOf(event))
                .bind("project", event.project() == null ? null : event.project().id())
                .bind("payload", EventJson.write(event))
                .bind("at", clock.instant())
                .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
    }

    /** Stores the event of a rollback that has gone live. */
    public void rolledBack(long projectId, String slug, String name, long deploymentId, String branch,
                           String commitSha, String siteUrl, String byUser) {
        store(new NotificationEvent.RolledBack(clock.instant(), projectRef(projectId, slug, name),
                deploymentRef(deploymentId, branch, commitSha, siteUrl), byUser == null ? "" : byUser));
    }

    /**
     * Deletes notifications that are done with: events stored before {@code before} whose deliveries all ended
     * (delivered or dropped), with their deliveries and tries. Dead letters and deliveries still to be tried stay.
     *
     * @return how many events were deleted
     */
    public int purgeFinishedBefore(Instant before) {
        return jdbi.withHandle(handle -> handle.createUpdate("""
                        DELETE FROM notification_events e
                        WHERE e.created_at < :before AND e.fanned_out = TRUE
                          AND NOT EXISTS (SELECT 1 FROM notification_deliveries d
                                          WHERE d.event_id = e.id AND d.status NOT IN ('DELIVERED', 'DROPPED'))""")
                .bind("before", before).execute());
    }

    /** The references events carry, with links to Miaobu's pages. */
    public ProjectRef projectRef(long id, String slug, String name) {
        return new ProjectRef(id, slug, name, publicUrl.resolve("projects/" + id));
    }

    public DeploymentRef deploymentRef(long id, String branch, String commitSha, String siteUrl) {
        return new DeploymentRef(id, branch, commitSha == null ? "" : commitSha,
                publicUrl.resolve("deployments/" + id),
                siteUrl == null || siteUrl.isBlank() ? null : URI.create(siteUrl));
    }

    /**
     * Turns deployment status changes nobody was told about yet into events.
     *
     * @return how many changes were looked at (up to one batch)
     */
    public int collectDeploymentEvents() {
        return jdbi.inTransaction(handle -> {
            record Change(long id, long deploymentId, String status, Instant at, long projectId, String slug,
                          String name, String branch, String commitSha, String error, String location,
                          String environment, String previewLabel) {
            }
            List<Change> changes = handle.createQuery("""
                            SELECT c.id, c.deployment_id, c.status, c.changed_at, d.project_id, p.slug, p.name,
                                   d.branch, d.commit_sha, d.error, d.storage_location, d.environment,
                                   (SELECT v.label FROM previews v WHERE v.id = d.preview_id) AS preview_label
                            FROM deployment_status_changes c
                            JOIN deployments d ON d.id = c.deployment_id
                            JOIN projects p ON p.id = d.project_id
                            WHERE c.notified = FALSE ORDER BY c.id LIMIT :limit FOR UPDATE""")
                    .bind("limit", BATCH)
                    .map((rs, ctx) -> new Change(rs.getLong(1), rs.getLong(2), rs.getString(3),
                            rs.getObject(4, OffsetDateTime.class).toInstant(), rs.getLong(5), rs.getString(6),
                            rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10), rs.getString(11),
                            rs.getString(12), rs.getString(13)))
                    .list();
            for (Change change : changes) {
                ProjectRef project = projectRef(change.projectId(), change.slug(), change.name());
                String siteUrl = null;
                if (change.status().equals("LIVE")) {
                    siteUrl = change.previewLabel() != null && siteUrls != null
                            ? siteUrls.ofPreview(change.previewLabel(), change.slug()) : change.location();
                }
                DeploymentRef deployment = deploymentRef(change.deploymentId(), change.branch(), change.commitSha(),
                        siteUrl);
                for (NotificationEvent event : eventsOf(handle, change.id(), change.status(), change.at(), project,
                        deployment, change.error(), change.environment())) {
                    store(handle, event);
                }
            }
            if (!changes.isEmpty()) {
                handle.createUpdate("UPDATE deployment_status_changes SET notified = TRUE WHERE id IN (<ids>)")
                        .bindList("ids", changes.stream().map(Change::id).toList()).execute();
            }
            return changes.size();
        });
    }

    private List<NotificationEvent> eventsOf(Handle handle, long changeId, String status, Instant at,
                                             ProjectRef project, DeploymentRef deployment, String error,
                                             String environment) {
        var events = new ArrayList<NotificationEvent>();
        switch (status) {
            case "QUEUED" -> events.add(new NotificationEvent.DeploymentQueued(at, project, deployment));
            case "CLONING" -> events.add(new NotificationEvent.DeploymentStarted(at, project, deployment));
            case "CANCELLED" -> events.add(new NotificationEvent.DeploymentCancelled(at, project, deployment,
                    error == null ? "" : error));
            case "LIVE" -> {
                boolean preview = "preview".equals(environment);
                events.add(preview ? new NotificationEvent.PreviewReady(at, project, deployment)
                        : new NotificationEvent.DeploymentSucceeded(at, project, deployment));
                if (!preview && "FAILED".equals(previousResult(handle, project.id(), changeId).orElse(null))) {
                    events.add(new NotificationEvent.DeploymentFixed(at, project, deployment));
                }
            }
            case "FAILED" -> {
                String reason = error == null ? "" : error;
                events.add(new NotificationEvent.DeploymentFailed(at, project, deployment, reason));
                if (!"preview".equals(environment)
                        && "LIVE".equals(previousResult(handle, project.id(), changeId).orElse(null))) {
                    events.add(new NotificationEvent.DeploymentBroken(at, project, deployment, reason));
                }
            }
            default -> {
                // INSTALLING, BUILDING, UPLOADING (progress) and PURGED (housekeeping) are not news
            }
        }
        return events;
    }

    /** The result (LIVE or FAILED) of the project's production deployment that ended before this change. */
    private static Optional<String> previousResult(Handle handle, long projectId, long changeId) {
        return handle.createQuery("""
                        SELECT c.status FROM deployment_status_changes c JOIN deployments d ON d.id = c.deployment_id
                        WHERE d.project_id = :project AND d.environment = 'production' AND c.id < :change
                          AND c.status IN ('LIVE', 'FAILED')
                        ORDER BY c.id DESC LIMIT 1""")
                .bind("project", projectId).bind("change", changeId)
                .mapTo(String.class).findOne();
    }

    /**
     * Expands stored events into deliveries: every enabled channel that wants the event's kind and may see its
     * project, and project members with an email address and no subscription of their own (the defaults). Each
     * person gets one message per event, however many of their subscriptions match.
     *
     * @return how many events were expanded
     */
    public int fanOut() {
        return jdbi.inTransaction(handle -> {
            record Stored(long id, String kind, Long projectId) {
            }
            List<Stored> events = handle.createQuery("""
                            SELECT id, kind, project_id FROM notification_events WHERE fanned_out = FALSE
                            ORDER BY id LIMIT :limit FOR UPDATE""")
                    .bind("limit", BATCH)
                    .map((rs, ctx) -> new Stored(rs.getLong(1), rs.getString(2), rs.getObject(3, Long.class)))
                    .list();
            if (events.isEmpty()) {
                return 0;
            }
            List<Channel> channels = handle.createQuery("SELECT * FROM notification_channels WHERE enabled = TRUE")
                    .map((rs, ctx) -> NotificationChannels.read(rs)).list();
            Instant now = clock.instant();
            // looked up once per batch, not per event
            Map<Long, String> adminEmails = admins(handle);
            var membersByProject = new java.util.HashMap<Long, Map<Long, Member>>();
            for (Stored event : events) {
                EventKind kind = EventKind.byWireName(event.kind()).orElse(null);
                if (kind != null) {
                    Map<Long, Member> members = event.projectId() == null ? Map.of()
                            : membersByProject.computeIfAbsent(event.projectId(), id -> members(handle, id));
                    for (Target target : targets(kind, event.projectId(), channels, members, adminEmails)) {
                        handle.createUpdate("""
                                        INSERT INTO notification_deliveries (event_id, channel_id, notifier, recipient,
                                                                             status, attempts, next_attempt_at,
                                                                             created_at)
                                        VALUES (:event, :channel, :notifier, :recipient, 'PENDING', 0, :at, :at)""")
                                .bind("event", event.id()).bind("channel", target.channelId())
                                .bind("notifier", target.notifier()).bind("recipient", target.recipient())
                                .bind("at", now).execute();
                    }
                }
            }
            handle.createUpdate("UPDATE notification_events SET fanned_out = TRUE WHERE id IN (<ids>)")
                    .bindList("ids", events.stream().map(Stored::id).toList()).execute();
            return events.size();
        });
    }

    /** One delivery to make: a channel (null for a member's default email), and for email the address. */
    record Target(Long channelId, String notifier, String recipient) {
    }

    private List<Target> targets(EventKind kind, Long projectId, List<Channel> channels, Map<Long, Member> members,
                                 Map<Long, String> adminEmails) {
        var targets = new ArrayList<Target>();
        // people-addressing notifiers: one delivery per notifier and address
        var people = new LinkedHashMap<String, Target>();
        var usersWithOwnSubscription = new java.util.HashSet<Long>();
        for (Channel channel : channels) {
            boolean relevant = switch (channel.scope()) {
                case SERVER -> true;
                case PROJECT -> projectId != null && projectId.equals(channel.projectId());
                case USER -> (channel.projectId() == null || channel.projectId().equals(projectId))
                        && (projectId == null ? adminEmails.containsKey(channel.userId())
                        : members.containsKey(channel.userId()) || adminEmails.containsKey(channel.userId()));
            };
            if (!relevant) {
                continue;
            }
            if (channel.scope() == Channel.Scope.USER) {
                // a subscription of their own, even one without this kind, replaces the defaults
                usersWithOwnSubscription.add(channel.userId());
            }
            if (!channel.events().contains(kind)) {
                continue;
            }
            Optional<Notifier> notifier = extensions.find(Notifier.class, channel.notifier());
            boolean toPeople = notifier.map(Notifier::deliversToPeople).orElse(!channel.recipients().isEmpty());
            if (!toPeople) {
                targets.add(new Target(channel.id(), channel.notifier(), ""));
                continue;
            }
            List<String> addresses = channel.scope() == Channel.Scope.USER
                    ? Optional.ofNullable(emailOf(channel.userId(), members, adminEmails)).map(List::of)
                    .orElse(List.of())
                    : channel.recipients();
            for (String address : addresses) {
                people.putIfAbsent(channel.notifier() + " " + address.toLowerCase(java.util.Locale.ROOT),
                        new Target(channel.id(), channel.notifier(), address));
            }
        }
        if (projectId != null && EventKinds.DEFAULTS.contains(kind)) {
            Optional<Notifier> email = extensions.all(Notifier.class).stream().filter(Notifier::deliversToPeople)
                    .findFirst();
            if (email.isPresent()) {
                for (Member member : members.values()) {
                    if (member.email() != null && !usersWithOwnSubscription.contains(member.userId())) {
                        people.putIfAbsent(email.get().id() + " " + member.email().toLowerCase(java.util.Locale.ROOT),
                                new Target(null, email.get().id(), member.email()));
                    }
                }
            }
        }
        targets.addAll(people.values());
        return targets;
    }

    private record Member(long userId, String email) {
    }

    private static Map<Long, Member> members(Handle handle, long projectId) {
        var members = new LinkedHashMap<Long, Member>();
        handle.createQuery("""
                        SELECT u.id, u.email FROM project_members m JOIN users u ON u.id = m.user_id
                        WHERE m.project_id = ? ORDER BY u.id""")
                .bind(0, projectId)
                .map((rs, ctx) -> new Member(rs.getLong(1), rs.getString(2)))
                .forEach(member -> members.put(member.userId(), member));
        return members;
    }

    private static Map<Long, String> admins(Handle handle) {
        var admins = new LinkedHashMap<Long, String>();
        handle.createQuery("SELECT id, email FROM users WHERE role = 'ADMIN'")
                .map((rs, ctx) -> Map.entry(rs.getLong(1), rs.getString(2) == null ? "" : rs.getString(2)))
                .forEach(entry -> admins.put(entry.getKey(), entry.getValue()));
        return admins;
    }

    private static String emailOf(Long userId, Map<Long, Member> members, Map<Long, String> adminEmails) {
        Member member = members.get(userId);
        if (member != null && member.email() != null) {
            return member.email();
        }
        String admin = adminEmails.get(userId);
        return admin == null || admin.isEmpty() ? null : admin;
    }
}
