package io.miaobu.api.host;

/**
 * The log of one task (a build, a certificate order) as the user reads it on the task's page.
 *
 * <p>Thread-safe: a runner may write a process's standard output and error from two threads at once. Everything
 * written is masked before a byte is stored or streamed: every secret the host knows of for this task (project
 * secrets, plugin secret settings) is replaced by {@code ****}. Lines are stored in a file, never in the database.
 */
public interface TaskLog {

    /** A line written by Miaobu or a plugin, shown as a step message. */
    void info(String message);

    /** A line shown as a warning. */
    void warn(String message);

    /** A line shown as an error. */
    void error(String message);

    /**
     * Raw output of a command, as it arrives. {@code chunk} need not end at a line boundary; the log joins chunks into
     * lines.
     */
    void output(String chunk);
}
