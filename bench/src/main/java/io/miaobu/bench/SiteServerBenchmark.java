package io.miaobu.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import io.miaobu.server.site.OffloadingHandler;
import io.miaobu.server.site.ServedSite;
import io.miaobu.server.site.SiteLookup;
import io.miaobu.server.site.SiteServer;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

/**
 * Serves a directory as the site {@code bench.localhost} with {@link SiteServer}, on a Jetty server set up as Miaobu's:
 * one {@link Server} with its default thread pool, one {@link ServerConnector} with one selector per core, and the
 * handler tree {@code Sequence(SiteServer, OffloadingHandler(app))}, the app being blocking like Jersey. Driven by
 * {@code bench/site-server.sh}; prints {@code READY <port>} once listening.
 *
 * <p>Usage: {@code SiteServerBenchmark <directory> <port>} (port 0 picks a free one). Listens on 127.0.0.1 only.
 */
public final class SiteServerBenchmark {

    private SiteServerBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: SiteServerBenchmark <directory> <port>");
            System.exit(2);
        }
        Path directory = Path.of(args[0]).toAbsolutePath().normalize();
        if (!Files.isDirectory(directory)) {
            System.err.println("not a directory: " + directory);
            System.exit(2);
        }
        int port = Integer.parseInt(args[1]);

        ServedSite site = new ServedSite(directory, false);
        SiteLookup lookup = label -> label.equals("bench") ? Optional.of(site) : Optional.empty();

        Server server = new Server();
        // Site requests run on the selector threads (the handler tree is non-blocking), so one selector per core;
        // Jetty's default is cores / 2, which leaves one core idle on a two-core machine.
        int selectors = Runtime.getRuntime().availableProcessors();
        ServerConnector connector = new ServerConnector(server, -1, selectors);
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        server.addConnector(connector);
        server.setHandler(new Handler.Sequence(new SiteServer(lookup, "localhost"),
                new OffloadingHandler(new AppStandIn())));
        server.setStopAtShutdown(true);
        server.start();
        System.out.println("READY " + connector.getLocalPort());
        System.out.flush();
        server.join();
    }

    /**
     * Takes the place of the Jersey app behind the site server. Like Jersey's handler it is blocking; without the
     * {@link OffloadingHandler} around it, Jetty would dispatch every request, site requests included, to the pool.
     */
    private static final class AppStandIn extends Handler.Abstract {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            response.setStatus(404);
            Content.Sink.write(response, true, "not a site request\n", callback);
            return true;
        }
    }
}
