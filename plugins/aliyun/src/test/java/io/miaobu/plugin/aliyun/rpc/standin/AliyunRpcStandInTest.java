package io.miaobu.plugin.aliyun.rpc.standin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AliyunRpcStandInTest {

    private final HttpClient http = HttpClient.newHttpClient();
    private AliyunRpcStandIn aliyun;

    @BeforeEach
    void start() {
        aliyun = AliyunRpcStandIn.start();
        aliyun.dns().addZone("example.com");
    }

    @AfterEach
    void stop() {
        aliyun.close();
    }

    @Test
    void signsLikeAlibabasDocumentedExample() {
        Map<String, String> params = Map.of("Timestamp", "2016-02-23T12:46:24Z", "Format", "XML", "AccessKeyId",
                "testid", "Action", "DescribeRegions", "SignatureMethod", "HMAC-SHA1", "SignatureNonce",
                "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf", "Version", "2014-05-26", "SignatureVersion", "1.0");

        String stringToSign = AliyunRpcStandIn.stringToSign("GET", params);

        assertThat(stringToSign).isEqualTo("GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML"
                + "%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"
                + "%26SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26");
        assertThat(AliyunRpcStandIn.sign(stringToSign, "testsecret")).isEqualTo("OLeaidS1JvxuMvnyHOwuJ+uX5qY=");
    }

    @Test
    void answersACorrectlySignedRequestAndRefusesItsReplay() throws Exception {
        String query = signed("GET", aliyun.accessKeySecret(), AliyunRpcStandIn.ACCESS_KEY_ID, UUID.randomUUID()
                .toString());

        HttpResponse<String> first = get(query);
        HttpResponse<String> replay = get(query);

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v)
                .startsWith("application/json"));
        assertThat(json(first).at("/Domains/Domain/0/DomainName").asText()).isEqualTo("example.com");
        assertThat(replay.statusCode()).isEqualTo(400);
        assertThat(json(replay).path("Code").asText()).isEqualTo("SignatureNonceUsed");
    }

    @Test
    void refusesAWrongSignatureWithAlibabasErrorJson() throws Exception {
        HttpResponse<String> answer = get(signed("GET", "not-the-secret", AliyunRpcStandIn.ACCESS_KEY_ID,
                UUID.randomUUID().toString()));

        assertThat(answer.statusCode()).isEqualTo(400);
        JsonNode error = json(answer);
        assertThat(error.path("Code").asText()).isEqualTo("SignatureDoesNotMatch");
        assertThat(error.path("Message").asText()).startsWith("Specified signature is not matched")
                .contains("server string to sign is:GET&%2F&");
        assertThat(error.has("RequestId")).isTrue();
        assertThat(error.has("HostId")).isTrue();
    }

    @Test
    void refusesAnUnknownAccessKeyIdWith404() throws Exception {
        HttpResponse<String> answer = get(signed("GET", "x", "LTAI-unknown", UUID.randomUUID().toString()));

        assertThat(answer.statusCode()).isEqualTo(404);
        assertThat(json(answer).path("Code").asText()).isEqualTo("InvalidAccessKeyId.NotFound");
    }

    @Test
    void deniedActionsAnswerForbiddenRamAndFaultsAreInjectedOnce() throws Exception {
        aliyun.denyAction("DescribeDomains");
        HttpResponse<String> denied = get(signed("GET", aliyun.accessKeySecret(), AliyunRpcStandIn.ACCESS_KEY_ID,
                UUID.randomUUID().toString()));
        assertThat(denied.statusCode()).isEqualTo(403);
        assertThat(json(denied).path("Code").asText()).isEqualTo("Forbidden.RAM");

        try (AliyunRpcStandIn other = AliyunRpcStandIn.start()) {
            other.failNext("DescribeDomains", 503, "ServiceUnavailable", "try later");
            HttpResponse<String> failed = get(other, signed("GET", other.accessKeySecret(),
                    AliyunRpcStandIn.ACCESS_KEY_ID, UUID.randomUUID().toString()));
            HttpResponse<String> next = get(other, signed("GET", other.accessKeySecret(),
                    AliyunRpcStandIn.ACCESS_KEY_ID, UUID.randomUUID().toString()));
            assertThat(failed.statusCode()).isEqualTo(503);
            assertThat(next.statusCode()).isEqualTo(200);
            assertThat(other.requests()).extracting(RpcRequest::errorCode).containsExactly("ServiceUnavailable", "");
        }
    }

    private String signed(String method, String secret, String accessKeyId, String nonce) {
        Map<String, String> params = new TreeMap<>(Map.of("Action", "DescribeDomains", "Version", "2015-01-09",
                "Format", "JSON", "AccessKeyId", accessKeyId, "SignatureMethod", "HMAC-SHA1", "SignatureVersion",
                "1.0", "SignatureNonce", nonce, "Timestamp",
                Instant.now().truncatedTo(ChronoUnit.SECONDS).toString()));
        params.put("Signature", AliyunRpcStandIn.sign(AliyunRpcStandIn.stringToSign(method, params), secret));
        return params.entrySet().stream().map(e -> AliyunRpcStandIn.percentEncode(e.getKey()) + "="
                + AliyunRpcStandIn.percentEncode(e.getValue())).collect(Collectors.joining("&"));
    }

    private HttpResponse<String> get(String query) throws IOException, InterruptedException {
        return get(aliyun, query);
    }

    private HttpResponse<String> get(AliyunRpcStandIn target, String query) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(target.endpoint() + "/?" + query)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) throws IOException {
        return AliyunRpcStandIn.JSON.readTree(response.body());
    }
}
