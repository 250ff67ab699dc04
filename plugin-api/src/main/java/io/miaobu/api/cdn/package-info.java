/** A CDN in front of a deploy target: {@link io.miaobu.api.cdn.CdnProvider}. */
package io.miaobu.api.cdn;
