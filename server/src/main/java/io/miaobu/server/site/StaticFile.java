package io.miaobu.server.site;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Objects;

import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.PreEncodedHttpField;

/**
 * One regular file inside a deployment, with everything a response needs computed once: its headers pre-encoded and,
 * when small enough, its bytes in memory. Immutable apart from the time it was last checked against the disk.
 */
final class StaticFile extends FileCache.Target {

    final Path path;
    final long size;
    final long lastModifiedMillis;
    final String etag;
    final String lastModified;
    final HttpField contentTypeField;
    final HttpField etagField;
    final HttpField lastModifiedField;
    final HttpField cacheControlField;
    final HttpField contentLengthField;
    final HttpField contentEncodingField;
    /** Read-only; null when the file is too large to keep in memory and is streamed from disk instead. */
    final ByteBuffer content;
    /** Precompressed siblings ({@code .br}, {@code .gz}) served in place of this file; null when absent. */
    final StaticFile brotli;
    final StaticFile gzip;
    final Object fileKey;

    StaticFile(Path path, long size, long lastModifiedMillis, Object fileKey, String etag, String lastModified,
               String contentType, String cacheControl, String contentEncoding, ByteBuffer content,
               StaticFile brotli, StaticFile gzip, long checkedAt) {
        super(checkedAt);
        this.path = path;
        this.size = size;
        this.lastModifiedMillis = lastModifiedMillis;
        this.fileKey = fileKey;
        this.etag = etag;
        this.lastModified = lastModified;
        this.contentTypeField = new PreEncodedHttpField(HttpHeader.CONTENT_TYPE, contentType);
        this.etagField = new PreEncodedHttpField(HttpHeader.ETAG, etag);
        this.lastModifiedField = new PreEncodedHttpField(HttpHeader.LAST_MODIFIED, lastModified);
        this.cacheControlField = new PreEncodedHttpField(HttpHeader.CACHE_CONTROL, cacheControl);
        this.contentLengthField = new PreEncodedHttpField(HttpHeader.CONTENT_LENGTH, size);
        this.contentEncodingField = contentEncoding == null
                ? null : new PreEncodedHttpField(HttpHeader.CONTENT_ENCODING, contentEncoding);
        this.content = content;
        this.brotli = brotli;
        this.gzip = gzip;
    }

    boolean hasEncodedVariants() {
        return brotli != null || gzip != null;
    }

    /** Same file on disk as when this was built: nothing to reload. */
    boolean sameAs(Path realPath, long size, long lastModifiedMillis, Object fileKey) {
        return this.path.equals(realPath) && this.size == size && this.lastModifiedMillis == lastModifiedMillis
                && Objects.equals(this.fileKey, fileKey);
    }

    @Override
    long memory() {
        long bytes = content == null ? 0 : content.capacity();
        if (brotli != null) {
            bytes += brotli.memory();
        }
        if (gzip != null) {
            bytes += gzip.memory();
        }
        return bytes;
    }
}
