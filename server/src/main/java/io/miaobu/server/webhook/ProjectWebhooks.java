package io.miaobu.server.webhook;

import io.miaobu.api.ExtensionException;
import io.miaobu.api.Secret;
import io.miaobu.api.source.SourceProvider;
import io.miaobu.api.source.SourceRepository;
import io.miaobu.api.source.WebhookSetup;
import io.miaobu.server.project.Project;
import io.miaobu.server.secrets.SecretBox;
import io.miaobu.server.secrets.SecretColumn;
import io.miaobu.server.source.ProjectSources;
import io.miaobu.server.web.UserFacingException;
import java.net.URI;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A project's webhook at its source host: a random secret per project (sealed in {@code projects}), registered through
 * the source provider when the project is connected, and removed when the project is deleted.
 */
public final class ProjectWebhooks {

    private static final Logger LOG = LoggerFactory.getLogger(ProjectWebhooks.class);
    /** The SecretBox purpose webhook secrets are sealed for. */
    public static final String SECRET_PURPOSE = "webhook-secret";
    /** Rotation covers the sealed webhook secrets. */
    public static final SecretColumn SECRET_COLUMN = new SecretColumn("projects", "id", "sealed_webhook_secret",
            SECRET_PURPOSE);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Jdbi jdbi;
    private final SecretBox secretBox;
    private final ProjectSources sources;
    private final URI publicUrl;

    /** What is known about a project's webhook. */
    public record State(String webhookId, boolean hasSecret, URI callbackUrl) {
        public boolean installed() {
            return webhookId != null;
        }
    }

    public ProjectWebhooks(Jdbi jdbi, SecretBox secretBox, ProjectSources sources, URI publicUrl) {
        this.jdbi = jdbi;
        this.secretBox = secretBox;
        this.sources = sources;
        this.publicUrl = publicUrl;
    }

    /** Where the project's source host delivers events. */
    public URI callbackUrl(Project project) {
        return publicUrl.resolve("hooks/" + project.sourceProvider() + "/" + project.id());
    }

    public State state(Project project) {
        return jdbi.withHandle(handle -> handle.createQuery("""
                        SELECT webhook_id, sealed_webhook_secret FROM projects WHERE id = :id""")
                .bind("id", project.id())
                .map((rs, ctx) -> new State(rs.getString(1), rs.getString(2) != null, callbackUrl(project)))
                .findOne().orElseThrow(() -> UserFacingException.notFound("No project " + project.id() + ".")));
    }

    /** The secret deliveries for the project are signed with; empty when no webhook was set up. */
    public Optional<Secret> secretOf(long projectId) {
        return jdbi.withHandle(handle -> handle.createQuery(
                        "SELECT sealed_webhook_secret FROM projects WHERE id = :id")
                .bind("id", projectId).mapTo(String.class).findOne())
                .map(sealed -> Secret.of(secretBox.open(sealed, SECRET_PURPOSE)));
    }

    /**
     * Gives the project a new secret and registers the webhook at the source host with it (a hook already there for the
     * same URL gets the new secret). The secret is stored before the source host is called, so a delivery signed with
     * it is accepted as soon as the host sends one.
     *
     * @throws UserFacingException 409 when the source plugin cannot register webhooks or is not running; 502 with the
     *                             source host's answer when it refuses
     */
    public State install(Project project) {
        SourceProvider provider = provider(project);
        if (!provider.supportsWebhooks()) {
            throw UserFacingException.conflict(provider.displayName() + " cannot register webhooks.");
        }
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        Secret secret = Secret.of(HexFormat.of().formatHex(bytes));
        storeSecret(project.id(), secretBox.seal(secret.reveal(), SECRET_PURPOSE));
        SourceRepository repository = sources.repositoryOf(project, provider, project.branch());
        String webhookId;
        try {
            webhookId = provider.installWebhook(new WebhookSetup(repository, callbackUrl(project), secret));
        } catch (ExtensionException e) {
            throw new UserFacingException(502, "source_host_refused", "The webhook could not be registered: "
                    + e.getMessage(), null);
        }
        jdbi.useHandle(handle -> handle.createUpdate("UPDATE projects SET webhook_id = :hook WHERE id = :id")
                .bind("hook", webhookId).bind("id", project.id()).execute());
        LOG.info("Webhook {} registered for project {}", webhookId, project.slug());
        return state(project);
    }

    /**
     * Removes the project's webhook from the source host, as the project is deleted. A source host that cannot be
     * reached or refuses does not stop the deletion: the hook's deliveries will then be answered 404.
     *
     * @return a warning in words when the hook could not be removed
     */
    public Optional<String> remove(Project project) {
        State state = state(project);
        if (!state.installed()) {
            return Optional.empty();
        }
        Optional<SourceProvider> provider = sources.providerOf(project);
        if (provider.isEmpty()) {
            return Optional.of("The webhook " + state.webhookId() + " stays at the source host: its plugin is not"
                    + " running.");
        }
        SourceRepository repository = sources.repositoryOf(project, provider.get(), project.branch());
        try {
            provider.get().removeWebhook(repository, state.webhookId());
            jdbi.useHandle(handle -> handle.createUpdate("UPDATE projects SET webhook_id = NULL WHERE id = :id")
                    .bind("id", project.id()).execute());
            LOG.info("Webhook {} of project {} removed", state.webhookId(), project.slug());
            return Optional.empty();
        } catch (RuntimeException e) {
            LOG.warn("Could not remove webhook {} of project {}: {}", state.webhookId(), project.slug(),
                    e.getMessage());
            return Optional.of("The webhook could not be removed at the source host (" + e.getMessage()
                    + "); remove it there by hand.");
        }
    }

    private void storeSecret(long projectId, String sealed) {
        jdbi.useHandle(handle -> handle.createUpdate(
                        "UPDATE projects SET sealed_webhook_secret = :secret WHERE id = :id")
                .bind("secret", sealed).bind("id", projectId).execute());
    }

    private SourceProvider provider(Project project) {
        return sources.providerOf(project)
                .orElseThrow(() -> UserFacingException.conflict("The source plugin '" + project.sourceProvider()
                        + "' is not running."));
    }
}
