package io.miaobu.server.ops;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The server's root handler. The port is opened as soon as the server starts, before the database, plugins and web
 * app are ready: until {@link #open} is called, liveness ({@code /health/live}) answers 200 and everything else 503
 * with {@code Retry-After}, so load balancers and browsers see a starting server rather than a refused connection.
 * Then every request goes to the application.
 */
public final class StartupGate extends Handler.Wrapper {

    private static final byte[] LIVE = "{\"status\":\"STARTING\"}".getBytes(StandardCharsets.UTF_8);
    private static final byte[] STARTING = ("<!doctype html><html lang=\"en\"><meta charset=\"utf-8\">"
            + "<title>Miaobu is starting</title><p>Miaobu is starting. This page will work in a moment.</p>")
            .getBytes(StandardCharsets.UTF_8);

    public StartupGate() {
        super(true);
    }

    /** Sends every request from now on to {@code application}, which is started first. */
    public void open(Handler application) {
        setHandler(application);
    }

    @Override
    public InvocationType getInvocationType() {
        // what the application's handlers declare (see OffloadingHandler); answering 503 never blocks either
        return InvocationType.NON_BLOCKING;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        Handler application = getHandler();
        if (application != null) {
            return application.handle(request, response, callback);
        }
        boolean live = "/health/live".equals(Request.getPathInContext(request));
        response.setStatus(live ? HttpStatus.OK_200 : HttpStatus.SERVICE_UNAVAILABLE_503);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        if (!live) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, "2");
        }
        response.getHeaders().put(HttpHeader.CONTENT_TYPE,
                live ? "application/json" : "text/html;charset=utf-8");
        response.write(true, ByteBuffer.wrap(live ? LIVE : STARTING), callback);
        return true;
    }
}
