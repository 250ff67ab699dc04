package io.miaobu.server.build;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Looks through a build's output for the project's secret values before it is published, as Netlify does: a secret
 * compiled into a bundle would be served to every visitor. Reads every file in chunks, so large outputs cost no memory.
 */
final class OutputSecretScan {

    private static final int CHUNK = 1 << 20;

    private OutputSecretScan() {
    }

    /** Where a secret was found: the file relative to the output directory and the variable's name. */
    record Finding(String file, String variable) {
    }

    /**
     * @param secrets variable name → secret value; values shorter than 4 characters are not looked for (they would be
     *                found everywhere)
     */
    static Optional<Finding> firstFinding(Path outputDirectory, Map<String, String> secrets) {
        List<Map.Entry<String, byte[]>> needles = secrets.entrySet().stream()
                .filter(e -> e.getValue() != null && e.getValue().length() >= 4)
                .map(e -> Map.entry(e.getKey(), e.getValue().getBytes(StandardCharsets.UTF_8)))
                .toList();
        if (needles.isEmpty()) {
            return Optional.empty();
        }
        int overlap = needles.stream().mapToInt(e -> e.getValue().length).max().orElse(1) - 1;
        try (Stream<Path> files = Files.walk(outputDirectory)) {
            for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile).sorted()::iterator) {
                Optional<String> variable = search(file, needles, overlap);
                if (variable.isPresent()) {
                    return Optional.of(new Finding(outputDirectory.relativize(file).toString(), variable.get()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot scan " + outputDirectory, e);
        }
        return Optional.empty();
    }

    private static Optional<String> search(Path file, List<Map.Entry<String, byte[]>> needles, int overlap)
            throws IOException {
        byte[] buffer = new byte[CHUNK + overlap];
        int carried = 0;
        try (InputStream in = Files.newInputStream(file)) {
            int read;
            while ((read = in.readNBytes(buffer, carried, CHUNK)) > 0) {
                int length = carried + read;
                for (Map.Entry<String, byte[]> needle : needles) {
                    if (indexOf(buffer, length, needle.getValue()) >= 0) {
                        return Optional.of(needle.getKey());
                    }
                }
                carried = Math.min(overlap, length);
                System.arraycopy(buffer, length - carried, buffer, 0, carried);
            }
        }
        return Optional.empty();
    }

    private static int indexOf(byte[] haystack, int length, byte[] needle) {
        outer:
        for (int i = 0; i <= length - needle.length; i++) {
            if (haystack[i] != needle[0]) {
                continue;
            }
            for (int j = 1; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
