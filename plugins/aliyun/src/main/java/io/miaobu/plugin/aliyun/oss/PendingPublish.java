package io.miaobu.plugin.aliyun.oss;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.Set;

/**
 * {@code pending/<key>.json}: the objects a publish in progress will reference, written before it checks or uploads
 * any, so garbage collection running meanwhile keeps them.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
record PendingPublish(String deployment, Set<String> hashes, String startedAt) {
}
