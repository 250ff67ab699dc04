package io.miaobu.api.build;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One command for a {@link BuildRunner}.
 *
 * @param argv             the program and its arguments, passed as they are (no shell unless argv names one)
 * @param workingDirectory where it runs; inside the build's workspace
 * @param environment      variables added to the runner's base environment (secrets are passed here, never in argv)
 * @param timeout          after this the whole process tree is killed
 */
public record CommandSpec(List<String> argv, Path workingDirectory, Map<String, String> environment,
                          Duration timeout) {

    public CommandSpec {
        argv = List.copyOf(argv);
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("argv is empty");
        }
        Objects.requireNonNull(workingDirectory, "workingDirectory");
        environment = Map.copyOf(environment);
        Objects.requireNonNull(timeout, "timeout");
    }

    /** A shell command line, run as {@code sh -c <commandLine>}. */
    public static CommandSpec shell(String commandLine, Path workingDirectory, Map<String, String> environment,
                                    Duration timeout) {
        return new CommandSpec(List.of("sh", "-c", commandLine), workingDirectory, environment, timeout);
    }
}
