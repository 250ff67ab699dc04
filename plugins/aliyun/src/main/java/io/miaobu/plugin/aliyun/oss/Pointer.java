package io.miaobu.plugin.aliyun.oss;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * {@code live.json} or {@code previews/<label>.json}: which manifest a host serves. Replaced by a single PUT, which OSS
 * applies atomically, so a reader gets the old or the new pointer, never a mix.
 *
 * @param manifest the manifest's full key in the bucket
 */
@JsonIgnoreProperties(ignoreUnknown = true)
record Pointer(String deployment, String manifest, String activatedAt) {
}
