package io.miaobu.server;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real HTTP receiver on 127.0.0.1 for notification tests: records every request, answers each path with the
 * statuses it was told to (in turn, the last one repeating; 200 by default), and holds requests to {@code /hang}
 * until the test ends. Register it with {@code @RegisterExtension}: it runs for each test.
 */
final class WebhookReceiver implements BeforeEachCallback, AfterEachCallback {

    /** One request as it arrived; header names lower-cased. */
    record Received(String path, Map<String, String> headers, String body) {
    }

    private HttpServer server;
    private ExecutorService threads;
    private final Map<String, List<Integer>> answers = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private CountDownLatch releaseHanging;

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        threads = Executors.newCachedThreadPool();
        releaseHanging = new CountDownLatch(1);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(threads);
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            byte[] body = exchange.getRequestBody().readAllBytes();
            var headers = new HashMap<String, String>();
            exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT),
                    values.get(0)));
            if (path.equals("/hang")) {
                try {
                    releaseHanging.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            int call = calls.computeIfAbsent(path, p -> new AtomicInteger()).getAndIncrement();
            List<Integer> plan = answers.getOrDefault(path, List.of(200));
            int status = plan.get(Math.min(call, plan.size() - 1));
            received.add(new Received(path, headers, new String(body, StandardCharsets.UTF_8)));
            byte[] answer = (status == 200 ? "ok" : "down for maintenance").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        server.start();
    }

    /** From now on {@code path} answers these statuses, in turn, the last one repeating. */
    void answer(String path, Integer... statuses) {
        calls.remove(path);
        answers.put(path, List.of(statuses));
    }

    /** The URL of {@code path} on this receiver. */
    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    List<Received> received() {
        return received;
    }

    /** The newest request. */
    Received last() {
        return received.get(received.size() - 1);
    }

    /** How often {@code path} was called. */
    int calls(String path) {
        AtomicInteger count = calls.get(path);
        return count == null ? 0 : count.get();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        releaseHanging.countDown();
        server.stop(0);
        threads.shutdownNow();
    }
}
