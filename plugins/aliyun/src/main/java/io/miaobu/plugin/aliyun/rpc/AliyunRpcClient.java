package io.miaobu.plugin.aliyun.rpc;

import com.aliyuncs.AcsRequest;
import com.aliyuncs.AcsResponse;
import com.aliyuncs.DefaultAcsClient;
import com.aliyuncs.exceptions.ClientException;
import com.aliyuncs.exceptions.ServerException;
import com.aliyuncs.http.HttpClientConfig;
import com.aliyuncs.http.HttpClientType;
import com.aliyuncs.http.ProtocolType;
import com.aliyuncs.profile.DefaultProfile;
import io.miaobu.api.ExtensionException;
import io.miaobu.plugin.aliyun.AliyunSettings;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;

/**
 * One Alibaba Cloud RPC-style API (CDN or AliDNS) called with the settings' keys through Alibaba's own SDK, with every
 * failure turned into an {@link AliyunApiException} whose message a user can act on.
 *
 * <p>Made per operation from the settings (extensions keep no configuration in fields). It uses the SDK's
 * {@code HttpURLConnection} client, which holds nothing to close, rather than its default Apache client, a
 * process-wide singleton configured by whoever builds it first; and it sets the endpoint on each request rather than
 * through {@code DefaultProfile.addEndpoint}, which is static state shared by the whole JVM.
 */
public final class AliyunRpcClient {

    static final Set<String> CREDENTIAL_CODES = Set.of("InvalidAccessKeyId.NotFound", "InvalidAccessKeyId",
            "InvalidAccessKeyId.Inactive", "SignatureDoesNotMatch", "SDK.InvalidAccessKeySecret",
            "IncompleteSignature", "InvalidAccessKeySecret");

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

    private final AliyunService service;
    private final AliyunSettings settings;
    private final ProtocolType protocol;
    private final String host;
    private final DefaultAcsClient client;

    private AliyunRpcClient(AliyunService service, AliyunSettings settings, String endpoint) {
        this.service = service;
        this.settings = settings;
        if (settings.accessKeyId().isEmpty() || settings.accessKeySecret() == null) {
            throw new ExtensionException("Enter the AccessKey ID and secret in the Alibaba Cloud settings first.");
        }
        String configured = endpoint == null ? "" : endpoint.strip();
        if (configured.isEmpty()) {
            protocol = ProtocolType.HTTPS;
            host = service.defaultHost();
        } else if (configured.contains("://")) {
            URI uri = URI.create(configured);
            protocol = "http".equalsIgnoreCase(uri.getScheme()) ? ProtocolType.HTTP : ProtocolType.HTTPS;
            host = uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
        } else {
            protocol = ProtocolType.HTTPS;
            host = configured.endsWith("/") ? configured.substring(0, configured.length() - 1) : configured;
        }
        DefaultProfile profile = DefaultProfile.getProfile(settings.region(), settings.accessKeyId(),
                settings.accessKeySecret().reveal());
        HttpClientConfig http = HttpClientConfig.getDefault();
        http.setClientType(HttpClientType.Compatible);
        http.setConnectionTimeoutMillis(CONNECT_TIMEOUT.toMillis());
        http.setReadTimeoutMillis(READ_TIMEOUT.toMillis());
        profile.setHttpClientConfig(http);
        profile.setCloseTrace(true);
        this.client = new DefaultAcsClient(profile);
    }

    /** A client for Alibaba Cloud CDN at the settings' {@code cdn-endpoint} (or Alibaba's own). */
    public static AliyunRpcClient cdn(AliyunSettings settings) {
        return new AliyunRpcClient(AliyunService.CDN, settings, settings.cdnEndpoint());
    }

    /** A client for AliDNS at the settings' {@code dns-endpoint} (or Alibaba's own). */
    public static AliyunRpcClient dns(AliyunSettings settings) {
        return new AliyunRpcClient(AliyunService.DNS, settings, settings.dnsEndpoint());
    }

    /** The API host requests go to, for messages. */
    public String host() {
        return host;
    }

    /**
     * Sends {@code request} and returns the parsed answer.
     *
     * @throws AliyunApiException with Alibaba's code and a message in words when the call fails
     */
    public <T extends AcsResponse> T call(AcsRequest<T> request) {
        request.setSysEndpoint(host);
        request.setSysProtocol(protocol);
        String action = request.getSysActionName();
        try {
            return client.getAcsResponse(request);
        } catch (ServerException e) {
            throw failure(action, e);
        } catch (ClientException e) {
            throw failure(action, e);
        }
    }

    /** The RAM action name for an API action, e.g. {@code cdn:AddCdnDomain}. */
    public String ramAction(String action) {
        return service.ramPrefix() + ":" + action;
    }

    private AliyunApiException failure(String action, ClientException e) {
        String code = e.getErrCode() == null ? "" : e.getErrCode();
        String requestId = e.getRequestId() == null ? "" : " (request id " + e.getRequestId() + ")";
        String what = service.displayName() + " " + action;
        String message = switch (code) {
            case "InvalidAccessKeyId.NotFound", "InvalidAccessKeyId" -> "Alibaba Cloud does not know the AccessKey ID "
                    + settings.accessKeyId() + " (" + code + "). Check the AccessKey ID in the Alibaba Cloud settings.";
            case "InvalidAccessKeyId.Inactive" -> "The AccessKey " + settings.accessKeyId() + " is disabled ("
                    + code + "). Enable it in the RAM console or enter an active one.";
            case "SignatureDoesNotMatch", "SDK.InvalidAccessKeySecret", "IncompleteSignature",
                 "InvalidAccessKeySecret" -> "Alibaba Cloud refused the request signature (" + code
                    + "): the AccessKey secret is wrong for AccessKey ID " + settings.accessKeyId()
                    + ". Enter the secret again in the Alibaba Cloud settings.";
            case "SDK.ServerUnreachable", "SDK.TimeoutException" -> "Could not reach the " + service.displayName()
                    + " API at " + host + " (" + code + "). Check the endpoint setting and the network.";
            case "Throttling", "Throttling.User", "Throttling.Api", "ServiceUnavailable" -> what
                    + " is throttled or unavailable right now (" + code + "); try again in a minute" + requestId + ".";
            default -> code.startsWith("Forbidden") || code.equals("NoPermission")
                    ? "The RAM user of AccessKey " + settings.accessKeyId() + " may not call " + action + " ("
                    + code + "). Grant it " + ramAction(action) + " (see the Alibaba Cloud plugin's guide)."
                    : what + " failed: " + code + safeDetail(code, e.getErrMsg()) + requestId + ".";
        };
        // the SDK's exception is not kept as the cause: its message can hold the string to sign, which repeats every
        // parameter of the request (a certificate's private key, too); the code and request id above are enough
        return new AliyunApiException(message, code, action, null);
    }

    /**
     * Alibaba's own message, short; left out where it may echo the request (a signature error repeats the string to
     * sign, which holds every parameter, certificate keys included).
     */
    private static String safeDetail(String code, String detail) {
        if (detail == null || detail.isBlank() || code.toLowerCase(Locale.ROOT).contains("signature")
                || detail.contains("PRIVATE KEY")) {
            return "";
        }
        String oneLine = detail.replaceAll("\\s+", " ").strip();
        return ": " + (oneLine.length() > 300 ? oneLine.substring(0, 300) + "…" : oneLine);
    }

    /** The APIs this client speaks. */
    enum AliyunService {
        CDN("Alibaba Cloud CDN", "cdn.aliyuncs.com", "cdn"),
        DNS("AliDNS", "alidns.aliyuncs.com", "alidns");

        private final String displayName;
        private final String defaultHost;
        private final String ramPrefix;

        AliyunService(String displayName, String defaultHost, String ramPrefix) {
            this.displayName = displayName;
            this.defaultHost = defaultHost;
            this.ramPrefix = ramPrefix;
        }

        String displayName() {
            return displayName;
        }

        String defaultHost() {
            return defaultHost;
        }

        String ramPrefix() {
            return ramPrefix;
        }
    }
}
