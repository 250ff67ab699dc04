/**
 * Turning a checked-out workspace into a directory of files to publish: {@link io.miaobu.api.build.Builder} decides what
 * to run, {@link io.miaobu.api.build.BuildRunner} decides where it runs.
 */
package io.miaobu.api.build;
