package io.miaobu.api.build;

import java.nio.file.Path;

/**
 * What a build produced.
 *
 * @param directory the directory of files to publish; inside the source directory, and existing
 */
public record BuildOutput(Path directory) {
}
