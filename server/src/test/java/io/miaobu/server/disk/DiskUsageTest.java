package io.miaobu.server.disk;

import static org.assertj.core.api.Assertions.assertThat;

import io.miaobu.server.ratelimit.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiskUsageTest {

    @TempDir
    Path home;

    private final MutableClock clock = new MutableClock();

    private DiskUsage usage(String databaseUrl) {
        return new DiskUsage(home, home.resolve("workspaces"), home.resolve("cache"), home.resolve("logs"),
                home.resolve("sites"), databaseUrl, clock);
    }

    private void file(String path, int bytes) throws Exception {
        Path file = home.resolve(path);
        Files.createDirectories(file.getParent());
        Files.write(file, new byte[bytes]);
    }

    @Test
    void measuresEachAreaAndListsTheCacheByDirectory() throws Exception {
        file("workspaces/12/src/index.html", 100);
        file("cache/build-home/.npm/a.tgz", 3000);
        file("cache/build-home/.npm/b.tgz", 1000);
        file("cache/cds/miaobu.jsa", 500);
        file("cache/stray.tmp", 7);
        file("logs/deployments/1.log.gz", 40);
        file("logs/deployments/2.log", 60);
        file("db/miaobu.mv.db", 2048);
        file("db/miaobu.trace.db", 10);
        file("db/other.mv.db", 99999);

        DiskReport report = usage("jdbc:h2:file:" + home.resolve("db/miaobu") + ";DB_CLOSE_ON_EXIT=FALSE").report();

        assertThat(report.workspaces().bytes()).isEqualTo(100);
        assertThat(report.workspaces().files()).isEqualTo(1);
        assertThat(report.cache().bytes()).isEqualTo(4507);
        assertThat(report.cache().files()).isEqualTo(4);
        assertThat(report.cache().parts()).extracting(DiskReport.Area::name).containsExactly("build-home", "cds");
        assertThat(report.cache().parts().get(0).bytes()).isEqualTo(4000);
        assertThat(report.cache().parts().get(0).path()).isEqualTo(home.resolve("cache/build-home").toString());
        assertThat(report.logs().bytes()).isEqualTo(100);
        assertThat(report.logs().files()).isEqualTo(2);
        assertThat(report.sites().bytes()).isZero();
        assertThat(report.sites().files()).isZero();
        assertThat(report.database().bytes()).isEqualTo(2058);
        assertThat(report.database().files()).isEqualTo(2);
        assertThat(report.totalBytes()).isEqualTo(100 + 4507 + 100 + 2058);
        assertThat(report.volume().totalBytes()).isPositive();
        assertThat(report.volume().freeBytes()).isPositive().isLessThanOrEqualTo(report.volume().totalBytes());
        assertThat(report.home()).isEqualTo(home.toString());
    }

    @Test
    void countsAFileThatDeploymentsShareThroughHardLinksOnce() throws Exception {
        file("sites/.objects/ab/cdef", 1000);
        Path object = home.resolve("sites/.objects/ab/cdef");
        for (String deployment : new String[] {"1", "2", "3"}) {
            Path link = home.resolve("sites/shop/deployments/" + deployment + "/index.html");
            Files.createDirectories(link.getParent());
            Files.createLink(link, object);
        }
        Files.createSymbolicLink(home.resolve("sites/shop/current"), Path.of("deployments/3"));

        DiskReport report = usage("jdbc:postgresql://localhost/miaobu").report();

        assertThat(report.sites().bytes()).isEqualTo(1000);
        assertThat(report.sites().files()).isEqualTo(4);
        assertThat(report.database()).as("only H2 is measured").isNull();
    }

    @Test
    void reusesAReportForAMinute() throws Exception {
        DiskUsage usage = usage("jdbc:h2:mem:test");
        DiskReport first = usage.report();
        file("logs/deployments/1.log", 10);

        clock.advance(Duration.ofSeconds(59));
        assertThat(usage.report()).isSameAs(first);

        clock.advance(Duration.ofSeconds(1));
        DiskReport second = usage.report();
        assertThat(second.logs().bytes()).isEqualTo(10);
        assertThat(second.measuredAt()).isEqualTo(clock.instant());
    }

    @Test
    void findsTheFilesOfAnH2DatabaseFromItsUrl() {
        assertThat(DiskUsage.h2DatabaseOf("jdbc:h2:file:/srv/miaobu/db/miaobu;DB_CLOSE_ON_EXIT=FALSE;AUTO_SERVER=FALSE"))
                .contains(Path.of("/srv/miaobu/db/miaobu"));
        assertThat(DiskUsage.h2DatabaseOf("jdbc:h2:/srv/db/x")).contains(Path.of("/srv/db/x"));
        assertThat(DiskUsage.h2DatabaseOf("jdbc:h2:~/miaobu"))
                .contains(Path.of(System.getProperty("user.home"), "miaobu"));
        assertThat(DiskUsage.h2DatabaseOf("jdbc:h2:./data/db"))
                .contains(Path.of("data/db").toAbsolutePath().normalize());
        assertThat(DiskUsage.h2DatabaseOf("jdbc:h2:mem:test")).isEqualTo(Optional.empty());
        assertThat(DiskUsage.h2DatabaseOf("jdbc:h2:tcp://db.example/~/miaobu")).isEmpty();
        assertThat(DiskUsage.h2DatabaseOf("jdbc:postgresql://127.0.0.1:5432/miaobu")).isEmpty();
        assertThat(DiskUsage.h2DatabaseOf(null)).isEmpty();
    }
}
