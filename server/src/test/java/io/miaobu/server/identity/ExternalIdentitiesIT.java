package io.miaobu.server.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.miaobu.api.Secret;
import io.miaobu.api.identity.ExternalIdentity;
import io.miaobu.server.audit.Actor;
import io.miaobu.server.audit.AuditLog;
import io.miaobu.server.auth.AccountService;
import io.miaobu.server.auth.LockoutPolicy;
import io.miaobu.server.auth.PasswordHasher;
import io.miaobu.server.auth.Role;
import io.miaobu.server.persistence.TestDatabase;
import io.miaobu.server.secrets.SecretBox;
import io.miaobu.server.source.SourceCredentials;
import io.miaobu.server.web.UserFacingException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link ExternalIdentities} on both databases: accounts made, reused, linked and unlinked, tokens stored sealed. */
class ExternalIdentitiesIT {

    private static final Actor ACTOR = new Actor(null, null, "203.0.113.9");
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-03-01T10:00:00.123456Z"), ZoneOffset.UTC);

    @TempDir
    Path temp;

    private TestDatabase database;
    private AccountService accounts;
    private SourceCredentials credentials;
    private ExternalIdentities identities;


    private void open(String kind) throws Exception {
        database = TestDatabase.open(kind, temp);
        var audit = new AuditLog(database.jdbi(), CLOCK);
        accounts = new AccountService(database.jdbi(), new PasswordHasher(), temp.resolve("secrets"),
                new LockoutPolicy(5, Duration.ofMinutes(1), Duration.ofHours(1)), audit, CLOCK);
        credentials = new SourceCredentials(database.jdbi(), new SecretBox(temp.resolve("keys")));
        identities = new ExternalIdentities(database.jdbi(), accounts, credentials, audit, CLOCK);
    }

    @AfterEach
    void close() throws Exception {
        if (database != null) {
            database.close();
        }
    }

    private static ExternalIdentity identity(String id, String login, String token) {
        return new ExternalIdentity(id, login, "Ada L", login + "@example.test", token == null ? null : Secret.of(token));
    }

    @ParameterizedTest
    @MethodSource("io.miaobu.server.persistence.TestDatabase#kinds")
    void theFirstSignInMakesAnAccountAndTheNextReusesItWithTheNewToken(String kind) throws Exception {
        open(kind);
        accounts.createUser("ada", "a long enough password", Role.USER);

        var first = identities.signIn("hub", identity("42", "Ada", "tok-1"), ACTOR);
        assertThat(first.created()).isTrue();
        assertThat(first.user().username()).as("ada is taken").isEqualTo("ada-2");
        assertThat(first.user().role()).isEqualTo(Role.USER);
        assertThat(accounts.hasPassword(first.user().id())).isFalse();
        assertThat(credentials.forUser(first.user().id(), "hub")).hasValue(Secret.of("tok-1"));
        String sealed = database.jdbi().withHandle(h -> h.createQuery(
                "SELECT sealed_token FROM external_identities WHERE external_id = '42'").mapTo(String.class).one());
        assertThat(SecretBox.looksSealed(sealed)).isTrue();
        assertThat(sealed).doesNotContain("tok-1");
        String email = database.jdbi().withHandle(h -> h.createQuery("SELECT email FROM users WHERE id = ?")
                .bind(0, first.user().id()).mapTo(String.class).one());
        assertThat(email).isEqualTo("Ada@example.test");

        var second = identities.signIn("hub", identity("42", "ada-renamed", "tok-2"), ACTOR);
        assertThat(second.created()).isFalse();
        assertThat(second.user().id()).isEqualTo(first.user().id());
        assertThat(credentials.forUser(first.user().id(), "hub")).hasValue(Secret.of("tok-2"));
        var linked = identities.find(first.user().id(), "hub").orElseThrow();
        assertThat(linked.login()).isEqualTo("ada-renamed");
        assertThat(linked.lastSignInAt()).isNotNull();
        assertThat(identities.find(first.user().id(), "other")).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("io.miaobu.server.persistence.TestDatabase#kinds")
    void linksOncePerProviderAndNeverSomeoneElsesAccount(String kind) throws Exception {
        open(kind);
        var grace = accounts.createUser("grace", "a long enough password", Role.USER);
        var owner = identities.signIn("hub", identity("7", "owner", "t"), ACTOR).user();

        assertThatThrownBy(() -> identities.link(grace, "hub", identity("7", "owner", "t2"), ACTOR))
                .isInstanceOf(UserFacingException.class).hasMessageContaining("another Miaobu user");
        identities.link(grace, "hub", identity("8", "grace-hub", null), ACTOR);
        assertThat(identities.find(grace.id(), "hub").orElseThrow().lastSignInAt()).isNull();
        assertThat(credentials.forUser(grace.id(), "hub")).isEmpty();
        assertThatThrownBy(() -> identities.link(grace, "hub", identity("9", "second", "t"), ACTOR))
                .hasMessageContaining("already connected to hub as grace-hub");
        identities.link(grace, "other-hub", identity("7", "same-id-elsewhere", "t"), ACTOR);
        assertThat(identities.list(grace.id())).extracting(ExternalIdentities.Linked::provider)
                .containsExactly("hub", "other-hub");
        assertThat(identities.list(owner.id())).hasSize(1);
    }

    @ParameterizedTest
    @MethodSource("io.miaobu.server.persistence.TestDatabase#kinds")
    void unlinkingTheOnlyWayToSignInIsRefusedUntilThereIsAPassword(String kind) throws Exception {
        open(kind);
        var user = identities.signIn("hub", identity("5", "solo", "t"), ACTOR).user();

        assertThatThrownBy(() -> identities.unlink(user, "hub", ACTOR)).hasMessageContaining("only way to sign in");
        identities.link(user, "other-hub", identity("6", "solo2", "t"), ACTOR);
        identities.unlink(user, "other-hub", ACTOR);
        assertThatThrownBy(() -> identities.unlink(user, "other-hub", ACTOR))
                .isInstanceOf(UserFacingException.class).hasMessageContaining("no connected");

        accounts.changePassword(user, null, "a long enough password", "a long enough password", ACTOR);
        assertThat(accounts.hasPassword(user.id())).isTrue();
        identities.unlink(user, "hub", ACTOR);
        assertThat(identities.list(user.id())).isEmpty();
        assertThat(credentials.forUser(user.id(), "hub")).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("io.miaobu.server.persistence.TestDatabase#kinds")
    void aLockedAccountIsRefusedAndKeepsItsOldToken(String kind) throws Exception {
        open(kind);
        var user = identities.signIn("hub", identity("3", "locked", "old"), ACTOR).user();
        accounts.lock(user.id(), CLOCK.instant().plus(Duration.ofHours(1)), ACTOR);

        assertThatThrownBy(() -> identities.signIn("hub", identity("3", "locked", "new"), ACTOR))
                .isInstanceOf(UserFacingException.class).hasMessageContaining("locked");
        assertThat(credentials.forUser(user.id(), "hub")).hasValue(Secret.of("old"));
    }
}
