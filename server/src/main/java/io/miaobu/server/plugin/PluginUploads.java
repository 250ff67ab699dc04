package io.miaobu.server.plugin;

import io.miaobu.server.web.UserFacingException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import org.eclipse.jetty.http.MultiPart;
import org.eclipse.jetty.http.MultiPartFormData;
import org.eclipse.jetty.io.Content;

/**
 * Reads an uploaded plugin zip from a request body: the zip itself ({@code application/zip},
 * {@code application/octet-stream}), or the {@code file} field of a {@code multipart/form-data} form, parsed by
 * Jetty's multipart parser straight into a file with the size limit applied.
 */
final class PluginUploads {

    private PluginUploads() {
    }

    /**
     * Writes the uploaded zip to {@code target}.
     *
     * @throws UserFacingException 400 when there is no zip in the request, or it is too big
     */
    static void read(InputStream body, String contentType, Path target, long maxBytes) throws IOException {
        String type = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
        if (type.startsWith("multipart/form-data")) {
            readForm(body, contentType, target, maxBytes);
            return;
        }
        if (!type.startsWith("application/zip") && !type.startsWith("application/octet-stream")
                && !type.startsWith("application/x-zip-compressed")) {
            throw UserFacingException.invalid("file", "Send the plugin zip as the body (Content-Type: application/zip)"
                    + " or as the field 'file' of a multipart/form-data form.");
        }
        long copied = 0;
        byte[] buffer = new byte[64 * 1024];
        try (var out = Files.newOutputStream(target)) {
            int read;
            while ((read = body.read(buffer)) > 0) {
                copied += read;
                if (copied > maxBytes) {
                    throw tooBig(maxBytes);
                }
                out.write(buffer, 0, read);
            }
        }
        if (copied == 0) {
            throw UserFacingException.invalid("file", "The upload was empty: send the plugin's zip.");
        }
    }

    private static void readForm(InputStream body, String contentType, Path target, long maxBytes)
            throws IOException {
        String boundary = MultiPart.extractBoundary(contentType);
        if (boundary == null || boundary.isEmpty()) {
            throw UserFacingException.invalid("file", "The multipart form has no boundary.");
        }
        var parser = new MultiPartFormData.Parser(boundary);
        parser.setFilesDirectory(target.getParent());
        parser.setMaxMemoryFileSize(0);
        parser.setMaxFileSize(maxBytes);
        parser.setMaxLength(maxBytes + 64 * 1024);
        parser.setMaxParts(16);
        MultiPartFormData.Parts parts;
        try {
            var parsed = new java.util.concurrent.CompletableFuture<MultiPartFormData.Parts>();
            parser.parse(Content.Source.from(body), org.eclipse.jetty.util.Promise.Invocable.toPromise(parsed));
            parts = parsed.get();
        } catch (ExecutionException e) {
            String message = String.valueOf(e.getCause() == null ? e.getMessage() : e.getCause().getMessage());
            if (message.toLowerCase(Locale.ROOT).contains("max")) {
                throw tooBig(maxBytes);
            }
            throw UserFacingException.invalid("file", "The multipart form could not be read: " + message);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while reading the upload", e);
        }
        try (parts) {
            MultiPart.Part file = parts.getFirst("file");
            if (file == null || file.getLength() <= 0) {
                throw UserFacingException.invalid("file", "Choose a plugin zip to upload.");
            }
            Files.deleteIfExists(target);
            file.writeTo(target);
        }
    }

    private static UserFacingException tooBig(long maxBytes) {
        return UserFacingException.invalid("file", "The plugin file is larger than " + maxBytes
                + " bytes; it is refused.");
    }
}
