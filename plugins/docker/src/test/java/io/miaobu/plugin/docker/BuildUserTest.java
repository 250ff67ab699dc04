package io.miaobu.plugin.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.miaobu.api.ExtensionException;
import org.junit.jupiter.api.Test;

class BuildUserTest {

    @Test
    void autoIsTheServersOwnUser() {
        assertThat(BuildUser.resolve("auto", new BuildUser.Server(998, 997)).spec()).isEqualTo("998:997");
    }

    @Test
    void autoOnARootServerIsAnUnprivilegedUser() {
        assertThat(BuildUser.resolve("auto", new BuildUser.Server(0, 0)).spec()).isEqualTo("1000:1000");
    }

    @Test
    void anExplicitUserWinsAndItsGroupDefaultsToItsUid() {
        assertThat(BuildUser.resolve("1500:100", new BuildUser.Server(0, 0)).spec()).isEqualTo("1500:100");
        assertThat(BuildUser.resolve("1500", new BuildUser.Server(998, 997)).spec()).isEqualTo("1500:1500");
    }

    @Test
    void neverRoot() {
        assertThatThrownBy(() -> BuildUser.resolve("0:1000", new BuildUser.Server(998, 997)))
                .isInstanceOf(ExtensionException.class)
                .hasMessageContaining("never run as root");
    }

    @Test
    void knowsThisProcesssUser() {
        var unix = new com.sun.security.auth.module.UnixSystem();

        BuildUser.Server server = BuildUser.Server.current();

        assertThat(server.uid()).isEqualTo(unix.getUid());
        assertThat(server.gid()).isEqualTo(unix.getGid());
        assertThat(server.isRoot()).isEqualTo(unix.getUid() == 0);
    }
}
