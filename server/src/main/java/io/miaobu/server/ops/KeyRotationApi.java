package io.miaobu.server.ops;

import io.miaobu.server.audit.AuditAction;
import io.miaobu.server.audit.AuditLog;
import io.miaobu.server.auth.AccessFilter;
import io.miaobu.server.auth.Allow;
import io.miaobu.server.auth.Permission;
import io.miaobu.server.auth.SigningKeys;
import io.miaobu.server.secrets.SecretRotation;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.glassfish.jersey.server.ContainerRequest;

/**
 * Key rotation while the server runs (the {@code rotate-secrets} command does the same on a stopped server): a new
 * encryption key for secrets at rest, re-encrypting every stored secret; or a new signing key for access tokens,
 * keeping the old one for verification so nobody is signed out.
 */
@Path("api/v1/admin")
@Produces(MediaType.APPLICATION_JSON)
@Allow(Permission.ADMIN)
public final class KeyRotationApi {

    private final SecretRotation secretRotation;
    private final SigningKeys signingKeys;
    private final Duration accessTokenTtl;
    private final AuditLog audit;

    public KeyRotationApi(SecretRotation secretRotation, SigningKeys signingKeys, Duration accessTokenTtl,
                          AuditLog audit) {
        this.secretRotation = secretRotation;
        this.signingKeys = signingKeys;
        this.accessTokenTtl = accessTokenTtl;
        this.audit = audit;
    }

    @POST
    @Path("secrets/rotate")
    public SecretsRotated rotateSecrets(@Context ContainerRequest request) {
        SecretRotation.Report report = secretRotation.rotate();
        audit.record(AccessFilter.actor(request), AuditAction.SECRETS_ROTATED, "key:" + report.newKeyId(),
                "re-encrypted " + report.reencryptedPerColumn());
        return new SecretsRotated(report.newKeyId(), report.reencryptedPerColumn(), report.removedKeyIds());
    }

    @POST
    @Path("signing-keys/rotate")
    public SigningKeyRotated rotateSigningKey(@Context ContainerRequest request) {
        String keyId = signingKeys.rotate(accessTokenTtl);
        audit.record(AccessFilter.actor(request), AuditAction.SIGNING_KEY_ROTATED, "key:" + keyId, null);
        return new SigningKeyRotated(keyId, signingKeys.keyIds());
    }

    public record SecretsRotated(String keyId, Map<String, Integer> reencrypted, Set<String> removedKeyIds) {
    }

    public record SigningKeyRotated(String keyId, Set<String> keptKeyIds) {
    }
}
