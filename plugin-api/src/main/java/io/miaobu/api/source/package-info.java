/** Where source code comes from: the {@link io.miaobu.api.source.SourceProvider} extension point and its values. */
package io.miaobu.api.source;
