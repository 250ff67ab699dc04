package io.miaobu.server.cert;

import io.miaobu.api.notify.NotificationEvent;
import io.miaobu.api.notify.ProjectRef;
import io.miaobu.server.notify.NotificationOutbox;
import io.miaobu.server.project.ProjectService;
import java.time.Clock;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Certificate events as notifications to the project's channels. Never fails the caller. */
public final class CertificateEvents implements CertificateService.Events {

    private static final Logger LOG = LoggerFactory.getLogger(CertificateEvents.class);

    private final NotificationOutbox outbox;
    private final ProjectService projects;
    private final Clock clock;

    public CertificateEvents(NotificationOutbox outbox, ProjectService projects, Clock clock) {
        this.outbox = outbox;
        this.projects = projects;
        this.clock = clock;
    }

    @Override
    public void issued(long projectId, String host, Instant notAfter, boolean renewal) {
        store(projectId, host, project -> new NotificationEvent.CertificateIssued(clock.instant(), project, host,
                notAfter, renewal));
    }

    @Override
    public void failing(long projectId, String host, Instant notAfter, String error) {
        store(projectId, host, project -> new NotificationEvent.CertificateRenewalFailing(clock.instant(), project,
                host, notAfter, error));
    }

    @Override
    public void expiring(long projectId, String host, Instant notAfter, String lastError) {
        store(projectId, host, project -> new NotificationEvent.CertificateExpiring(clock.instant(), project, host,
                notAfter, lastError));
    }

    private void store(long projectId, String host,
                       java.util.function.Function<ProjectRef, NotificationEvent> event) {
        try {
            var project = projects.get(projectId);
            outbox.store(event.apply(outbox.projectRef(project.id(), project.slug(), project.name())));
        } catch (RuntimeException e) {
            LOG.warn("Could not record a certificate event for {}: {}", host, e.toString());
        }
    }
}
