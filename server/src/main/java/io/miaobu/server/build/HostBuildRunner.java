package io.miaobu.server.build;

import io.miaobu.api.ExtensionException;
import io.miaobu.api.build.BuildRunner;
import io.miaobu.api.build.CommandResult;
import io.miaobu.api.build.CommandSpec;
import io.miaobu.api.host.TaskLog;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs commands as child processes of the server. Each command gets its own session and process group ({@code setsid}),
 * so that on timeout, cancel, or when the command exits leaving background processes behind, the whole group —
 * children and grandchildren — is killed. Commands see only a small, explicit environment: the server's own secrets
 * (database passwords, initial admin password) never reach a build.
 */
public final class HostBuildRunner implements BuildRunner {

    private static final Logger LOG = LoggerFactory.getLogger(HostBuildRunner.class);
    private static final List<String> INHERITED = List.of("PATH", "LANG", "LC_ALL", "TZ", "USER", "LOGNAME",
            "SHELL", "NVM_DIR");
    private static final Duration OUTPUT_DRAIN = Duration.ofSeconds(5);

    private final Map<String, String> baseEnvironment;
    private final boolean setsidAvailable;
    private final Path processRegistry;

    /**
     * @param serverEnvironment the server's environment, from which only a few harmless variables are passed on
     * @param homeDirectory     HOME for the commands (npm and friends keep their caches below it)
     * @param processRegistry   where each running command's process group is noted, so that a server killed while
     *                          building can kill what it left behind when it starts again ({@link #killOrphans})
     */
    public HostBuildRunner(Map<String, String> serverEnvironment, Path homeDirectory, Path processRegistry) {
        this.processRegistry = processRegistry;
        var base = new java.util.HashMap<String, String>();
        for (String name : INHERITED) {
            String value = serverEnvironment.get(name);
            if (value != null) {
                base.put(name, value);
            }
        }
        base.putIfAbsent("PATH", "/usr/local/bin:/usr/bin:/bin");
        base.put("HOME", homeDirectory.toString());
        this.baseEnvironment = Map.copyOf(base);
        this.setsidAvailable = Files.isExecutable(Path.of("/usr/bin/setsid"));
        try {
            Files.createDirectories(homeDirectory);
            Files.createDirectories(processRegistry);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public String id() {
        return "host";
    }

    @Override
    public String displayName() {
        return "Host process";
    }

    @Override
    public CommandResult run(CommandSpec command, TaskLog log) throws InterruptedException {
        requireProgram(command);
        var argv = new ArrayList<String>();
        if (setsidAvailable) {
            argv.add("/usr/bin/setsid");
            argv.add("--wait");
        }
        argv.addAll(command.argv());
        var builder = new ProcessBuilder(argv)
                .directory(command.workingDirectory().toFile())
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().clear();
        builder.environment().putAll(baseEnvironment);
        builder.environment().putAll(command.environment());

        Instant started = Instant.now();
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new ExtensionException("Could not start '" + command.argv().get(0) + "': " + e.getMessage(), e);
        }
        Path registered = register(process);
        Thread pump = startOutputPump(process, log);
        try {
            boolean exited = process.waitFor(command.timeout().toMillis(), TimeUnit.MILLISECONDS);
            if (!exited) {
                killTree(process);
                finishPump(pump);
                return new CommandResult(-1, true, Duration.between(started, Instant.now()));
            }
            // The command is done; anything it left running in the background goes too.
            killTree(process);
            finishPump(pump);
            return new CommandResult(process.exitValue(), false, Duration.between(started, Instant.now()));
        } catch (InterruptedException e) {
            killTree(process);
            finishPump(pump);
            throw e;
        } finally {
            unregister(registered);
        }
    }

    /**
     * Kills the process groups of commands a previous run of the server started and never saw end (it was killed).
     * A group outlives its leader, so it is found by its members: processes whose group id is the noted one and that
     * started no earlier than the noted leader (so a group id reused after a reboot is left alone).
     *
     * @return how many groups were killed
     */
    public int killOrphans() {
        int killed = 0;
        try (var files = Files.newDirectoryStream(processRegistry)) {
            for (Path file : files) {
                try {
                    long groupId = Long.parseLong(file.getFileName().toString());
                    Instant leaderStarted = Instant.parse(Files.readString(file).strip());
                    boolean alive = ProcessHandle.allProcesses()
                            .filter(p -> groupOf(p.pid()) == groupId)
                            .anyMatch(p -> p.info().startInstant()
                                    .map(started -> !started.isBefore(leaderStarted.minusSeconds(1)))
                                    .orElse(false));
                    if (alive) {
                        killGroup(groupId);
                        killed++;
                        LOG.warn("Killed build process group {} left running by a previous server", groupId);
                    }
                } catch (RuntimeException | IOException e) {
                    LOG.debug("Ignoring {}: {}", file, e.getMessage());
                }
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            LOG.warn("Could not look for orphaned build processes in {}: {}", processRegistry, e.getMessage());
        }
        return killed;
    }

    /** The process group of a process, from {@code /proc/<pid>/stat}; -1 when unknown. */
    private static long groupOf(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses, so read after the last ')'
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[2]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private Path register(Process process) {
        Path file = processRegistry.resolve(Long.toString(process.pid()));
        try {
            Files.writeString(file, startOf(process.toHandle()));
            return file;
        } catch (IOException e) {
            LOG.warn("Could not note build process {}: {}", process.pid(), e.getMessage());
            return null;
        }
    }

    private static void unregister(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                LOG.debug("Could not remove {}: {}", file, e.getMessage());
            }
        }
    }

    private static String startOf(ProcessHandle handle) {
        return handle.info().startInstant().map(Object::toString).orElse("unknown");
    }

    /** setsid would report a missing program as exit code 127; say it plainly instead. */
    private void requireProgram(CommandSpec command) {
        String program = command.argv().get(0);
        if (program.contains("/")) {
            Path path = command.workingDirectory().resolve(program);
            if (!Files.isExecutable(path)) {
                throw new ExtensionException("The program '" + program + "' does not exist or is not executable.");
            }
            return;
        }
        String path = command.environment().getOrDefault("PATH", baseEnvironment.get("PATH"));
        for (String directory : path.split(":")) {
            if (!directory.isEmpty() && Files.isExecutable(Path.of(directory, program))) {
                return;
            }
        }
        throw new ExtensionException("The program '" + program + "' was not found on the build's PATH (" + path
                + ").");
    }

    private static Thread startOutputPump(Process process, TaskLog log) {
        Thread pump = new Thread(() -> {
            char[] buffer = new char[8192];
            try (Reader reader = new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)) {
                int read;
                while ((read = reader.read(buffer)) >= 0) {
                    log.output(new String(buffer, 0, read));
                }
            } catch (IOException e) {
                // the stream closes when the process group is killed
            }
        }, "build-output-" + process.pid());
        pump.setDaemon(true);
        pump.start();
        return pump;
    }

    private static void finishPump(Thread pump) {
        try {
            pump.join(OUTPUT_DRAIN.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Sends SIGKILL to every process of the group (the command ran under setsid: its pid is the group's id). */
    private static void killGroup(long groupId) {
        try {
            new ProcessBuilder("kill", "-KILL", "--", "-" + groupId)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start()
                    .waitFor(5, TimeUnit.SECONDS);
        } catch (IOException e) {
            LOG.warn("Could not kill process group {}: {}", groupId, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Kills the process, its process group and every descendant still known to the OS. */
    private void killTree(Process process) {
        List<ProcessHandle> descendants = process.descendants().toList();
        if (setsidAvailable) {
            killGroup(process.pid());
        }
        descendants.forEach(ProcessHandle::destroyForcibly);
        // through its handle: Process.destroyForcibly would also close our end of its output, and the output pump,
        // when it has not caught up yet (a busy machine), would lose the command's last lines
        process.toHandle().destroyForcibly();
        try {
            process.onExit().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("Process {} did not exit after being killed", process.pid());
        }
    }
}
