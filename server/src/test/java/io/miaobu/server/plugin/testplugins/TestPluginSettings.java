package io.miaobu.server.plugin.testplugins;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.locks.LockSupport;

/**
 * What a test plugin was built with ({@code miaobu-test-plugin.properties} in its jar, read through its own class
 * loader), and the file gates the test drives it with: a plugin waits for a file the test creates.
 */
final class TestPluginSettings {

    private TestPluginSettings() {
    }

    static Properties of(Class<?> type) {
        var properties = new Properties();
        try (InputStream in = type.getResourceAsStream("/miaobu-test-plugin.properties")) {
            if (in != null) {
                properties.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties;
    }

    /** Waits until {@code file} exists; a poll with a deadline, so a broken test cannot hang the build forever. */
    static void awaitFile(Path file, Duration limit, boolean interruptible) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!Files.exists(file)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the test never created " + file);
            }
            LockSupport.parkNanos(20_000_000);
            if (interruptible && Thread.interrupted()) {
                throw new InterruptedException();
            }
        }
    }

    static void touch(Path file) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, "");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
