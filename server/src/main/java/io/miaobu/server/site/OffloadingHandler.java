package io.miaobu.server.site;

import java.util.concurrent.RejectedExecutionException;

import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a blocking handler (the Jersey app) on Jetty's thread pool, so that the server's handler tree as a whole is
 * non-blocking and {@link SiteServer} answers on the thread that read the request.
 *
 * <p>Jetty 12 decides once, from the whole handler tree, whether requests may be handled on the I/O thread: one
 * blocking handler anywhere (Jersey's is) makes it dispatch <em>every</em> request to the pool, which on two cores
 * costs the site server about a fifth of its throughput. Compose the server as
 * {@code new Handler.Sequence(siteServer, new OffloadingHandler(jerseyHandler))}; this handler must come last, since
 * it accepts every request it is given and answers 404 for those the wrapped handler declines.
 */
public final class OffloadingHandler extends Handler.Wrapper {

    private static final Logger LOG = LoggerFactory.getLogger(OffloadingHandler.class);

    public OffloadingHandler(Handler blocking) {
        super(blocking);
    }

    @Override
    public InvocationType getInvocationType() {
        return InvocationType.NON_BLOCKING;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        Handler next = getHandler();
        if (next == null) {
            return false;
        }
        try {
            getServer().getThreadPool().execute(() -> handleBlocking(next, request, response, callback));
        } catch (RejectedExecutionException e) {
            LOG.warn("Thread pool full, refusing {} {}", request.getMethod(), request.getHttpURI().getPath());
            Response.writeError(request, response, callback, HttpStatus.SERVICE_UNAVAILABLE_503);
        }
        return true;
    }

    private static void handleBlocking(Handler next, Request request, Response response, Callback callback) {
        try {
            if (!next.handle(request, response, callback)) {
                Response.writeError(request, response, callback, HttpStatus.NOT_FOUND_404);
            }
        } catch (Throwable failure) {
            // Jetty's error page would show the exception's class and message; operators get them in the log instead.
            LOG.warn("Unhandled failure for {} {}", request.getMethod(), request.getHttpURI().getPath(), failure);
            Response.writeError(request, response, callback, HttpStatus.INTERNAL_SERVER_ERROR_500);
        }
    }
}
