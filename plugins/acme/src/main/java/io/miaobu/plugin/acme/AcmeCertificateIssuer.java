package io.miaobu.plugin.acme;

import io.miaobu.api.ExtensionException;
import io.miaobu.api.Secret;
import io.miaobu.api.cert.CertificateBundle;
import io.miaobu.api.cert.CertificateIssuer;
import io.miaobu.api.cert.CertificateOrder;
import io.miaobu.api.config.ConfigField;
import io.miaobu.api.config.ConfigFieldType;
import io.miaobu.api.config.ConfigProblem;
import io.miaobu.api.config.ConfigSchema;
import io.miaobu.api.config.ConfigValues;
import io.miaobu.api.config.ConnectionCheck;
import io.miaobu.api.host.TaskLog;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.pf4j.Extension;
import org.shredzone.acme4j.Account;
import org.shredzone.acme4j.AccountBuilder;
import org.shredzone.acme4j.Authorization;
import org.shredzone.acme4j.Order;
import org.shredzone.acme4j.Problem;
import org.shredzone.acme4j.Session;
import org.shredzone.acme4j.Status;
import org.shredzone.acme4j.challenge.Challenge;
import org.shredzone.acme4j.challenge.Dns01Challenge;
import org.shredzone.acme4j.challenge.Http01Challenge;
import org.shredzone.acme4j.exception.AcmeException;
import org.shredzone.acme4j.exception.AcmeNetworkException;
import org.shredzone.acme4j.exception.AcmeRateLimitedException;
import org.shredzone.acme4j.exception.AcmeServerException;

/** Certificates from any ACME CA (RFC 8555) through acme4j; stateless, the account key comes from the settings. */
@Extension
public final class AcmeCertificateIssuer implements CertificateIssuer {

    static final String LETS_ENCRYPT = "https://acme-v02.api.letsencrypt.org/directory";
    static final String LETS_ENCRYPT_STAGING = "https://acme-staging-v02.api.letsencrypt.org/directory";

    static final String DIRECTORY_URL = "directory-url";
    static final String CONTACT_EMAIL = "contact-email";
    static final String ACCOUNT_KEY = "account-key";
    static final String TRUST_STORE_PEM = "trust-store-pem";
    static final String CHALLENGE = "challenge";
    static final String KEY_TYPE = "key-type";

    static final String HTTP_01 = "http-01";
    static final String DNS_01 = "dns-01";
    static final String EC_P256 = "ec-p256";
    static final String RSA_2048 = "rsa-2048";

    private static final String ACCOUNT_DOES_NOT_EXIST = "urn:ietf:params:acme:error:accountDoesNotExist";
    private static final Duration CHALLENGE_TIMEOUT = Duration.ofMinutes(3);
    private static final Duration DNS_PROPAGATION_TIMEOUT = Duration.ofMinutes(10);
    private static final Duration ORDER_TIMEOUT = Duration.ofMinutes(3);

    @Override
    public String id() {
        return "acme";
    }

    @Override
    public String displayName() {
        return "ACME (Let's Encrypt)";
    }

    @Override
    public ConfigSchema globalSettings() {
        return ConfigSchema.of(
                new ConfigField(DIRECTORY_URL, "ACME directory URL",
                        "Let's Encrypt production is the default; use " + LETS_ENCRYPT_STAGING
                                + " (staging) while trying things out, its certificates are not trusted by browsers"
                                + " but its rate limits are much higher.",
                        ConfigFieldType.URL, LETS_ENCRYPT, true, List.of()),
                ConfigField.string(CONTACT_EMAIL, "Contact email",
                        "The CA writes here about expiring certificates and changes to its terms."),
                ConfigField.generatedSecret(ACCOUNT_KEY, "Account key",
                        "Generated once; the ACME account key is derived from it. Changing it makes a new account."),
                new ConfigField(TRUST_STORE_PEM, "Extra trusted roots (PEM)",
                        "Only for a CA whose server certificate is not publicly trusted, such as Pebble in tests.",
                        ConfigFieldType.TEXT, null, false, List.of()),
                new ConfigField(CHALLENGE, "Preferred challenge",
                        "http-01 needs the domain served by Miaobu; dns-01 needs a DNS provider and is always used"
                                + " for wildcard names.",
                        ConfigFieldType.CHOICE, HTTP_01, false, List.of(HTTP_01, DNS_01)),
                new ConfigField(KEY_TYPE, "Certificate key type", "The key made for each new certificate.",
                        ConfigFieldType.CHOICE, EC_P256, false, List.of(EC_P256, RSA_2048)));
    }

    @Override
    public List<ConfigProblem> validate(ConfigValues global, ConfigValues project) {
        List<ConfigProblem> problems = new ArrayList<>();
        String url = global.get(DIRECTORY_URL, LETS_ENCRYPT);
        if (!url.startsWith("https://") && !url.startsWith("http://")) {
            problems.add(new ConfigProblem(DIRECTORY_URL, "Must be an https:// URL of an ACME directory."));
        }
        Optional<String> pem = global.get(TRUST_STORE_PEM);
        if (pem.isPresent()) {
            try {
                Pem.certificates(pem.get());
            } catch (IllegalArgumentException e) {
                problems.add(new ConfigProblem(TRUST_STORE_PEM, "Must be one or more PEM certificates."));
            }
        }
        return problems;
    }

    @Override
    public List<ConnectionCheck> checkConnection(ConfigValues global) {
        String url = global.get(DIRECTORY_URL, LETS_ENCRYPT);
        List<ConnectionCheck> checks = new ArrayList<>();
        Session session;
        try {
            session = session(global);
            session.getMetadata();
            checks.add(ConnectionCheck.passed("Directory", "Reached " + url));
        } catch (AcmeException | ExtensionException | IllegalArgumentException e) {
            checks.add(ConnectionCheck.failed("Directory", "Could not read the ACME directory at " + url + ": "
                    + detail(e)));
            return checks;
        }
        try {
            Account account = account(session, global, new TaskLog() {
                @Override public void info(String message) { }
                @Override public void warn(String message) { }
                @Override public void error(String message) { }
                @Override public void output(String chunk) { }
            });
            checks.add(ConnectionCheck.passed("Account", "Account " + account.getLocation()));
        } catch (AcmeException | ExtensionException e) {
            checks.add(ConnectionCheck.failed("Account", "The CA did not accept the account: " + detail(e)));
        }
        return checks;
    }

    @Override
    public CertificateBundle issue(CertificateOrder order) throws InterruptedException {
        ConfigValues settings = order.globalSettings();
        TaskLog log = order.log();
        String url = settings.get(DIRECTORY_URL, LETS_ENCRYPT);
        try {
            Session session = session(settings);
            Account account = account(session, settings, log);
            log.info("Ordering a certificate for " + String.join(", ", order.domains()) + " from " + url);
            Order acmeOrder = account.newOrder().domains(order.domains()).create();
            for (Authorization authorization : acmeOrder.getAuthorizations()) {
                if (authorization.getStatus() == Status.VALID) {
                    log.info("Authorization for " + name(authorization) + " is still valid");
                    continue;
                }
                authorize(authorization, order);
            }
            Status ready = acmeOrder.waitUntilReady(ORDER_TIMEOUT);
            if (ready != Status.READY) {
                throw orderFailure(acmeOrder, "was not ready to be finalized (" + ready + ")");
            }
            KeyPair certificateKey = certificateKey(settings.get(KEY_TYPE, EC_P256));
            acmeOrder.execute(certificateKey);
            Status done = acmeOrder.waitForCompletion(ORDER_TIMEOUT);
            if (done != Status.VALID) {
                throw orderFailure(acmeOrder, "was not issued (" + done + ")");
            }
            List<X509Certificate> chain = acmeOrder.getCertificate().getCertificateChain();
            X509Certificate leaf = chain.get(0);
            StringBuilder pem = new StringBuilder();
            for (X509Certificate certificate : chain) {
                pem.append(Pem.encode("CERTIFICATE", certificate.getEncoded()));
            }
            log.info("Certificate issued for " + String.join(", ", order.domains()) + ", valid until "
                    + leaf.getNotAfter().toInstant());
            return new CertificateBundle(order.domains(), pem.toString(),
                    Secret.of(Pem.encode("PRIVATE KEY", certificateKey.getPrivate().getEncoded())),
                    leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant());
        } catch (AcmeRateLimitedException e) {
            String message = "The CA's rate limit was reached" + e.getRetryAfter().map(t -> "; try again after " + t)
                    .orElse("") + ": " + detail(e);
            log.error(message);
            throw new ExtensionException(message, e);
        } catch (AcmeNetworkException e) {
            String message = "Could not reach the ACME server at " + url + ": " + detail(e);
            log.error(message);
            throw new ExtensionException(message, e);
        } catch (AcmeException e) {
            String message = "The CA refused the order for " + String.join(", ", order.domains()) + ": " + detail(e);
            log.error(message);
            throw new ExtensionException(message, e);
        } catch (GeneralSecurityException e) {
            throw new ExtensionException("Could not make the certificate key", e);
        } catch (ExtensionException e) {
            log.error(e.getMessage());
            throw e;
        }
    }

    private void authorize(Authorization authorization, CertificateOrder order)
            throws AcmeException, InterruptedException {
        String domain = authorization.getIdentifier().getDomain();
        String name = name(authorization);
        boolean dns = useDns01(authorization, order, name);
        TaskLog log = order.log();
        if (dns) {
            Dns01Challenge challenge = authorization.findChallenge(Dns01Challenge.class).orElseThrow(() ->
                    new ExtensionException("The CA offers no DNS-01 challenge for " + name));
            log.info("Publishing the DNS-01 TXT record for " + name);
            String recordId = order.dns01().publish(domain, challenge.getDigest(), DNS_PROPAGATION_TIMEOUT);
            try {
                validate(challenge, name, "DNS-01", log);
            } finally {
                order.dns01().remove(recordId);
            }
        } else {
            Http01Challenge challenge = authorization.findChallenge(Http01Challenge.class).orElseThrow(() ->
                    new ExtensionException("The CA offers no HTTP-01 challenge for " + name));
            log.info("Answering the HTTP-01 challenge for " + name);
            order.http01().publish(domain, challenge.getToken(), challenge.getAuthorization());
            try {
                validate(challenge, name, "HTTP-01", log);
            } finally {
                order.http01().remove(domain, challenge.getToken());
            }
        }
    }

    private static boolean useDns01(Authorization authorization, CertificateOrder order, String name) {
        if (authorization.isWildcard()) {
            if (order.dns01() == null) {
                throw new ExtensionException("The wildcard name " + name
                        + " can only be validated over DNS-01; configure a DNS provider for it.");
            }
            return true;
        }
        boolean preferDns = DNS_01.equals(order.globalSettings().get(CHALLENGE, HTTP_01));
        if (order.http01() == null && order.dns01() == null) {
            throw new ExtensionException("Neither HTTP-01 nor DNS-01 can be answered for " + name
                    + ": serve the domain with Miaobu or configure a DNS provider for it.");
        }
        return order.http01() == null || (preferDns && order.dns01() != null);
    }

    private static void validate(Challenge challenge, String name, String type, TaskLog log)
            throws AcmeException, InterruptedException {
        challenge.trigger();
        Status status = challenge.waitForCompletion(CHALLENGE_TIMEOUT);
        if (status == Status.INVALID) {
            throw new ExtensionException("The CA could not validate " + name + " over " + type + ": "
                    + challenge.getError().map(AcmeCertificateIssuer::describe).orElse("no detail given"));
        }
        if (status != Status.VALID) {
            throw new ExtensionException("The CA did not finish validating " + name + " over " + type + " within "
                    + CHALLENGE_TIMEOUT.toMinutes() + " minutes (" + status + ")");
        }
        log.info(name + " validated over " + type);
    }

    private static Account account(Session session, ConfigValues settings, TaskLog log) throws AcmeException {
        Secret seed = settings.secret(ACCOUNT_KEY).orElseThrow(() ->
                new ExtensionException("The ACME account key has not been generated yet; save the ACME settings."));
        KeyPair key = AccountKeys.derive(seed.reveal());
        try {
            Account account = new AccountBuilder().onlyExisting().useKeyPair(key).create(session);
            log.info("Using the ACME account " + account.getLocation());
            return account;
        } catch (AcmeServerException e) {
            if (!ACCOUNT_DOES_NOT_EXIST.equals(String.valueOf(e.getType()))) {
                throw e;
            }
        }
        AccountBuilder builder = new AccountBuilder().agreeToTermsOfService().useKeyPair(key);
        settings.get(CONTACT_EMAIL).ifPresent(builder::addEmail);
        Account account = builder.create(session);
        log.info("Created the ACME account " + account.getLocation());
        return account;
    }

    private static Session session(ConfigValues settings) {
        String url = settings.get(DIRECTORY_URL, LETS_ENCRYPT);
        List<X509Certificate> roots = settings.get(TRUST_STORE_PEM).map(Pem::certificates).orElse(List.of());
        return new Session(URI.create(url), new TrustingAcmeProvider(roots));
    }

    private static KeyPair certificateKey(String keyType) throws GeneralSecurityException {
        if (RSA_2048.equals(keyType)) {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        }
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    private static ExtensionException orderFailure(Order order, String what) {
        return new ExtensionException("The order " + what + ": "
                + order.getError().map(AcmeCertificateIssuer::describe).orElse("the CA gave no detail"));
    }

    private static String name(Authorization authorization) {
        return (authorization.isWildcard() ? "*." : "") + authorization.getIdentifier().getDomain();
    }

    private static String detail(Exception e) {
        if (e instanceof AcmeServerException server) {
            return describe(server.getProblem());
        }
        Throwable cause = e;
        while (cause.getCause() != null && cause.getMessage() == null) {
            cause = cause.getCause();
        }
        String message = cause.getMessage();
        if (e instanceof AcmeNetworkException && e.getCause() != null && e.getCause().getMessage() != null) {
            message = e.getCause().getMessage();
        }
        return message == null ? cause.getClass().getSimpleName() : message;
    }

    static String describe(Problem problem) {
        String text = problem.getDetail().or(problem::getTitle).orElse(String.valueOf(problem.getType()));
        for (Problem sub : problem.getSubProblems()) {
            text += "; " + sub.getIdentifier().map(i -> i.getDomain() + ": ").orElse("") + describe(sub);
        }
        return text;
    }
}
