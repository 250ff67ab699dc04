package io.miaobu.api.deploy;

import java.net.URI;

/**
 * An immutable published deployment. Persisted by the host with the deployment and handed back to
 * {@link DeployTarget#activate} and {@link DeployTarget#delete}.
 *
 * @param storageRef    the target's own reference to the copy (a directory name, a manifest key)
 * @param location      where the files are: a {@code file:} URI of a directory the built-in site server may serve,
 *                      or the target's own URI scheme
 * @param fileCount     number of files published
 * @param totalBytes    their total size
 * @param uploadedBytes bytes actually transferred (less than {@code totalBytes} when content was already there)
 */
public record PublishedDeployment(String storageRef, URI location, long fileCount, long totalBytes,
                                  long uploadedBytes) {
}
