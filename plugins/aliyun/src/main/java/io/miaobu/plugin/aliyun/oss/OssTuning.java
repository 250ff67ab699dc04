package io.miaobu.plugin.aliyun.oss;

import java.time.Duration;

/**
 * How hard the deploy target works the bucket.
 *
 * @param parallelism  objects checked or uploaded at once per publish
 * @param attempts     tries per request, the first included, for 5xx answers and failed connections
 * @param firstBackoff the wait before the second try; doubled (with jitter) for each further one
 */
record OssTuning(int parallelism, int attempts, Duration firstBackoff) {

    static final OssTuning DEFAULT = new OssTuning(8, 4, Duration.ofMillis(500));
}
