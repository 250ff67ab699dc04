package io.miaobu.plugin.aliyun.oss;

import com.aliyun.oss.ClientException;
import com.aliyun.oss.OSSException;
import io.miaobu.api.ExtensionException;
import io.miaobu.plugin.aliyun.AliyunSettings;
import java.util.Set;

/** OSS's answers in words a user can act on; never with the secret. */
final class OssFailures {

    private static final Set<String> TRANSIENT_CODES = Set.of("InternalError", "ServiceUnavailable",
            "RequestTimeout", "SlowDown", "RequestTimeTooSkewed");

    private OssFailures() {
    }

    /** Worth another attempt: a 5xx from OSS, or the connection failed, reset or timed out. */
    static boolean isTransient(Throwable e) {
        if (e instanceof OSSException oss) {
            return oss.getErrorCode() == null || TRANSIENT_CODES.contains(oss.getErrorCode());
        }
        return e instanceof ClientException && !isInterruption(e);
    }

    static boolean isInterruption(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof InterruptedException || cause instanceof java.io.InterruptedIOException
                    && !(cause instanceof java.net.SocketTimeoutException)) {
                return true;
            }
        }
        return false;
    }

    /** The OSS error code, or null when OSS did not answer. */
    static String code(RuntimeException e) {
        return e instanceof OSSException oss ? oss.getErrorCode() : null;
    }

    /** @param action what was being done, e.g. "uploading objects below miaobu/blog/" */
    static String describe(RuntimeException e, String action, AliyunSettings settings) {
        if (e instanceof OSSException oss) {
            String code = oss.getErrorCode() == null ? "no error code" : oss.getErrorCode();
            String request = oss.getRequestId() == null ? "" : " (request " + oss.getRequestId() + ")";
            return switch (code) {
                case "SignatureDoesNotMatch" -> "OSS refused the signature (SignatureDoesNotMatch): check the "
                        + "AccessKey secret.";
                case "InvalidAccessKeyId" -> "OSS does not know the AccessKey ID " + settings.accessKeyId()
                        + " (InvalidAccessKeyId): check the AccessKey ID and that it is enabled.";
                case "NoSuchBucket" -> "The bucket " + settings.bucket() + " does not exist at "
                        + settings.endpoint() + " (NoSuchBucket): check the bucket, region and endpoint.";
                case "AccessDenied" -> "OSS denied " + action + " to AccessKey " + settings.accessKeyId()
                        + " (AccessDenied): grant its RAM user the OSS permissions listed in the plugin's guide"
                        + request + ".";
                default -> "OSS refused " + action + ": " + code
                        + (oss.getErrorMessage() == null ? "" : " (" + oss.getErrorMessage() + ")") + request + ".";
            };
        }
        if (e instanceof ClientException client) {
            return "Could not reach OSS at " + settings.endpoint() + " while " + action + ": "
                    + (client.getErrorMessage() != null ? client.getErrorMessage() : client.getClass().getSimpleName())
                    + ".";
        }
        return "Failed while " + action + ": " + e.getMessage();
    }

    static ExtensionException toExtension(RuntimeException e, String action, AliyunSettings settings) {
        if (e instanceof ExtensionException extension) {
            return extension;
        }
        return new ExtensionException(describe(e, action, settings), e);
    }
}
