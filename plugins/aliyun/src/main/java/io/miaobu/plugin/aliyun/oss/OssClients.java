package io.miaobu.plugin.aliyun.oss;

import com.aliyun.oss.ClientBuilderConfiguration;
import com.aliyun.oss.OSS;
import com.aliyun.oss.OSSClientBuilder;
import com.aliyun.oss.common.auth.DefaultCredentialProvider;
import com.aliyun.oss.common.comm.SignVersion;
import io.miaobu.api.ExtensionException;
import io.miaobu.plugin.aliyun.AliyunSettings;
import java.net.URI;
import java.time.Duration;
import java.util.regex.Pattern;

/** Makes an OSS client for one call from the settings; the caller shuts it down. */
final class OssClients {

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private OssClients() {
    }

    static OSS open(AliyunSettings settings, int maxConnections) {
        if (!settings.configured()) {
            throw new ExtensionException("The Alibaba Cloud plugin is not set up: an admin must enter the AccessKey ID, "
                    + "AccessKey secret and bucket in its settings.");
        }
        ClientBuilderConfiguration conf = new ClientBuilderConfiguration();
        // one retry policy, ours (OssRetry): the SDK's would multiply it and ignore interruption
        conf.setMaxErrorRetry(0);
        conf.setConnectionTimeout((int) Duration.ofSeconds(10).toMillis());
        conf.setSocketTimeout((int) Duration.ofSeconds(60).toMillis());
        conf.setConnectionRequestTimeout((int) Duration.ofSeconds(30).toMillis());
        conf.setMaxConnections(Math.max(maxConnections, 2));
        // path style (/bucket/key) when the endpoint is an address: a virtual host <bucket>.<ip> cannot resolve
        conf.setSLDEnabled(isAddress(settings.endpoint()));
        boolean v1 = "v1".equalsIgnoreCase(settings.signatureVersion());
        conf.setSignatureVersion(v1 ? SignVersion.V1 : SignVersion.V4);
        var builder = OSSClientBuilder.create()
                .endpoint(settings.endpoint().toString())
                .credentialsProvider(new DefaultCredentialProvider(settings.accessKeyId(),
                        settings.accessKeySecret().reveal()))
                .clientConfiguration(conf);
        if (!v1) {
            if (settings.region().isEmpty()) {
                throw new ExtensionException("OSS signature V4 needs the region (e.g. cn-hangzhou) in the Alibaba "
                        + "Cloud settings.");
            }
            builder.region(settings.region());
        }
        return builder.build();
    }

    static boolean isAddress(URI endpoint) {
        String host = endpoint.getHost();
        return host != null && (host.equals("localhost") || IPV4.matcher(host).matches() || host.startsWith("["));
    }
}
