package io.miaobu.server;

import io.miaobu.server.boot.ConfigException;
import io.miaobu.server.boot.ConfigLoader;
import io.miaobu.server.boot.ServerConfig;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * {@code java -jar miaobu.war}: reads the configuration and runs the server. With a command
 * ({@code rotate-secrets}, {@code rotate-signing-key}) it does that on a stopped server and exits.
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        Logger log = LoggerFactory.getLogger(Main.class);
        ServerConfig config;
        try {
            config = ConfigLoader.fromProcess().load();
        } catch (ConfigException e) {
            log.error("Configuration error: {}", e.getMessage());
            System.exit(2);
            return;
        }
        if (args.length > 0) {
            System.exit(KeyCommands.run(args, config, log));
            return;
        }
        var server = new MiaobuServer(config, System.getenv(), Clock.systemUTC());
        Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "shutdown"));
        try {
            server.start();
        } catch (Exception e) {
            log.error("Miaobu could not start: {}", e.getMessage(), e);
            server.stop();
            System.exit(1);
        }
    }
}
