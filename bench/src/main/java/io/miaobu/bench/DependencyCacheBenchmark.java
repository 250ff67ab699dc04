package io.miaobu.bench;

import io.miaobu.server.build.cache.CacheKey;
import io.miaobu.server.build.cache.DependencyCache;
import io.miaobu.server.build.cache.RestoreResult;
import io.miaobu.server.build.cache.SaveResult;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * What the dependency cache saves a build's install step, measured on {@link DependencyCache} itself (the pipeline
 * does not call it yet), with real {@code npm} against the npm registry. Driven by {@code bench/dependency-cache.mjs}.
 *
 * <p>Each round uses a fresh cache and fresh project directories holding only {@code package.json} and the committed
 * {@code package-lock.json}, and times:
 * <ol>
 *   <li><b>cold</b>: {@code npm ci} with an empty npm cache ({@code npm_config_cache} a new directory): a first build;
 *   <li><b>today's repeat build</b>: {@code npm ci} with the npm cache the cold install filled, which is what a second
 *       build gets now (builds share HOME, so they share npm's cache), and which the cache must beat;
 *   <li><b>warm</b>: {@link DependencyCache#restore} from a prepared copy, then the install command the pipeline will
 *       run after a hit, {@code npm install --prefer-offline --no-audit --no-fund}, with an empty npm cache to show
 *       that nothing is downloaded ({@code npm ci} would delete the restored {@code node_modules});
 *   <li><b>warm, copying</b>: the same when no prepared copy is ready, so the restore copies the entry.
 * </ol>
 * Saving, and preparing the copy for the next restore (which the server does in the background), are timed apart.
 * {@code sync} runs before each timed step, so that one step's writes are not flushed during the next.
 *
 * <p>Usage: {@code DependencyCacheBenchmark [rounds (3)] [app|small]}. {@code app} is a Vite + React + TypeScript +
 * ESLint project; {@code small} only its five runtime packages.
 */
public final class DependencyCacheBenchmark {

    private static final List<String> RUNTIME_PACKAGES = List.of("react", "react-dom", "lodash", "dayjs", "zod");

    private final Path work;
    private final String project;
    private String nodeMajor;
    private String lastOutput = "";

    private DependencyCacheBenchmark(Path work, String project) {
        this.work = work;
        this.project = project;
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        String project = args.length > 1 ? args[1] : "app";
        if (rounds < 1 || !List.of("app", "small").contains(project)) {
            System.err.println("usage: DependencyCacheBenchmark [rounds] [app|small]");
            System.exit(2);
        }
        Path work = Files.createTempDirectory("miaobu-dependency-cache-bench-");
        try {
            new DependencyCacheBenchmark(work, project).run(rounds);
        } finally {
            delete(work);
        }
    }

    private void run(int rounds) throws Exception {
        String node = command(work, Map.of(), "node", "--version").output().strip();
        nodeMajor = CacheKey.nodeMajor(node);
        System.out.printf("project: %s, node %s, npm %s, %d rounds, %d cores, load average %s%n", project, node,
                command(work, Map.of(), "npm", "--version").output().strip(), rounds,
                Runtime.getRuntime().availableProcessors(), loadAverage());
        List<Round> results = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            Round result = round(round);
            results.add(result);
            System.out.printf(Locale.ROOT, "round %d: cold %d ms | today's repeat %d ms | warm %d + %d = %d ms"
                            + " | warm, copying %d + %d = %d ms | save %d ms, prepare %d ms (background)%n",
                    round, result.cold, result.today, result.restorePrepared, result.installPrepared,
                    result.warm(), result.restoreCopied, result.installCopied, result.warmCopying(), result.save,
                    result.prepare);
        }
        Round first = results.get(0);
        long cold = median(results, Round::cold);
        long today = median(results, Round::today);
        long warm = median(results, Round::warm);
        long copying = median(results, Round::warmCopying);
        System.out.println();
        System.out.printf(Locale.ROOT, "node_modules: %,d files, %.1f MiB%n", first.files, first.bytes / 1048576.0);
        System.out.printf("medians over %d rounds:%n", rounds);
        System.out.printf("cold install (npm ci, empty npm cache):                 %6d ms%n", cold);
        System.out.printf("today's repeat build (npm ci, warm npm cache):          %6d ms%n", today);
        System.out.printf("warm (restore a prepared copy + npm install):           %6d ms  (restore %d ms)%n", warm,
                median(results, Round::restorePrepared));
        System.out.printf("warm, no prepared copy (restore by copying + install):  %6d ms  (restore %d ms)%n",
                copying, median(results, Round::restoreCopied));
        System.out.printf(Locale.ROOT, "ratio cold / warm:               %5.1f (target >= 5)%n", (double) cold / warm);
        System.out.printf(Locale.ROOT, "ratio today's repeat / warm:     %5.1f%n", (double) today / warm);
        System.out.printf(Locale.ROOT, "ratio cold / warm, copying:      %5.1f%n", (double) cold / copying);
        System.out.printf("load average at the end: %s%n", loadAverage());
        System.out.printf("off the install's path: save %d ms (once per lockfile), preparing the next copy %d ms"
                + " (in the background, after each restore)%n", median(results, Round::save),
                median(results, Round::prepare));
    }

    private Round round(int round) throws Exception {
        Path dir = Files.createDirectories(work.resolve("round-" + round));
        Path npmCache = dir.resolve("npm-cache");
        QueuedTasks background = new QueuedTasks();
        DependencyCache cache = new DependencyCache(dir.resolve("dependency-cache"),
                DependencyCache.DEFAULT_CAP_BYTES, Clock.systemUTC(), background);

        Path cold = newProject(dir.resolve("cold"));
        long coldMs = npm(cold, npmCache, "ci");
        Path today = newProject(dir.resolve("today"));
        long todayMs = npm(today, npmCache, "ci");

        sync();
        SaveResult saved = cache.save(key(cold), cold);
        require(saved.outcome() == SaveResult.Outcome.SAVED, "save: " + saved);
        sync();
        long prepareMs = background.runAll();

        Path warm = newProject(dir.resolve("warm"));
        sync();
        RestoreResult restored = cache.restore(key(warm), warm);
        require(restored.hit() && restored.fromPrepared(), "restore from a prepared copy: " + restored);
        long installMs = npm(warm, dir.resolve("empty-npm-cache-1"), "install", "--prefer-offline");
        verify(warm, lastOutput);

        // the restore above queued the next prepared copy; until it runs, a restore has to copy
        Path copied = newProject(dir.resolve("copied"));
        sync();
        RestoreResult copiedResult = cache.restore(key(copied), copied);
        require(copiedResult.hit() && !copiedResult.fromPrepared(), "restore by copying: " + copiedResult);
        long installCopiedMs = npm(copied, dir.resolve("empty-npm-cache-2"), "install", "--prefer-offline");
        verify(copied, lastOutput);
        background.runAll();

        delete(dir);
        return new Round(coldMs, todayMs, saved.took().toMillis(), prepareMs, restored.took().toMillis(),
                installMs, copiedResult.took().toMillis(), installCopiedMs, saved.files(), saved.bytes());
    }

    private CacheKey key(Path project) {
        return CacheKey.of(1, project, "", "npm", nodeMajor);
    }

    private Path newProject(Path dir) throws IOException {
        Files.createDirectories(dir);
        for (String name : List.of("package.json", "package-lock.json")) {
            String resource = "dependency-cache/" + project + "/" + name;
            try (InputStream in = DependencyCacheBenchmark.class.getResourceAsStream(resource)) {
                require(in != null, "missing resource " + resource);
                Files.copy(in, dir.resolve(name));
            }
        }
        return dir;
    }

    /** Runs {@code npm <args> --no-audit --no-fund} with the given npm cache; returns how long it took. */
    private long npm(Path dir, Path npmCache, String... args) throws Exception {
        List<String> argv = new ArrayList<>(List.of("npm"));
        argv.addAll(Arrays.asList(args));
        argv.addAll(List.of("--no-audit", "--no-fund"));
        sync();
        long started = System.nanoTime();
        lastOutput = command(dir, Map.of("npm_config_cache", npmCache.toString(), "npm_config_update_notifier",
                "false"), argv.toArray(String[]::new)).output();
        return (System.nanoTime() - started) / 1_000_000;
    }

    /** npm must have found the restored tree up to date, and node must be able to use it. */
    private void verify(Path dir, String npmOutput) throws Exception {
        require(npmOutput.contains("up to date"), "npm changed the restored node_modules:\n" + npmOutput);
        StringBuilder script = new StringBuilder();
        for (String name : RUNTIME_PACKAGES) {
            script.append("require('").append(name).append("');");
        }
        command(dir, Map.of(), "node", "-e", script.toString());
        if (project.equals("app")) {
            command(dir, Map.of(), "node_modules/.bin/tsc", "--version");
        }
    }

    private static Result command(Path dir, Map<String, String> environment, String... argv) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(argv).directory(dir.toFile()).redirectErrorStream(true);
        builder.environment().putAll(environment);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = process.waitFor();
        if (exit != 0) {
            throw new IllegalStateException(String.join(" ", argv) + " failed with exit code " + exit + ":\n"
                    + output);
        }
        return new Result(output);
    }

    /** Other work on the machine skews every number here; /proc/loadavg says how much there was. */
    private static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return fields[0] + " " + fields[1] + " " + fields[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static void sync() throws Exception {
        new ProcessBuilder("sync").inheritIO().start().waitFor();
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalStateException(message);
        }
    }

    private static long median(List<Round> rounds, java.util.function.ToLongFunction<Round> value) {
        long[] values = rounds.stream().mapToLong(value).sorted().toArray();
        int middle = values.length / 2;
        return values.length % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }

    private static void delete(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException failure) throws IOException {
                if (failure != null) {
                    throw failure;
                }
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private record Result(String output) {
    }

    private record Round(long cold, long today, long save, long prepare, long restorePrepared, long installPrepared,
                         long restoreCopied, long installCopied, long files, long bytes) {

        long warm() {
            return restorePrepared + installPrepared;
        }

        long warmCopying() {
            return restoreCopied + installCopied;
        }
    }

    /** The cache's background work, held until the benchmark runs it, so that it is timed and never overlaps. */
    private static final class QueuedTasks implements Executor {

        private final List<Runnable> tasks = new ArrayList<>();

        @Override
        public synchronized void execute(Runnable task) {
            tasks.add(task);
        }

        /** Runs what was queued; returns how long that took. */
        long runAll() {
            List<Runnable> queued;
            synchronized (this) {
                queued = new ArrayList<>(tasks);
                tasks.clear();
            }
            long started = System.nanoTime();
            queued.forEach(Runnable::run);
            return (System.nanoTime() - started) / 1_000_000;
        }
    }
}
