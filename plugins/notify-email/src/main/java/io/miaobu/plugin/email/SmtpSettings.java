package io.miaobu.plugin.email;

import io.miaobu.api.Secret;
import io.miaobu.api.config.ConfigField;
import io.miaobu.api.config.ConfigFieldType;
import io.miaobu.api.config.ConfigProblem;
import io.miaobu.api.config.ConfigSchema;
import io.miaobu.api.config.ConfigValues;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The email notifier's server-wide settings: the SMTP server mail is handed to and the sender it shows.
 *
 * @param host     the SMTP server's name or address
 * @param port     its port (587 for STARTTLS submission, 465 for implicit TLS, 25 for plain relay)
 * @param security how the connection is protected
 * @param username the SMTP user, or {@code null} to send without authenticating
 * @param password the SMTP password, or {@code null}; revealed only when connecting
 * @param from     the sender's address and name
 * @param timeout  for connecting and for each answer of the server
 */
record SmtpSettings(String host, int port, Security security, String username, Secret password,
                    InternetAddress from, Duration timeout) {

    static final String HOST = "host";
    static final String PORT = "port";
    static final String SECURITY = "security";
    static final String USERNAME = "username";
    static final String PASSWORD = "password";
    static final String FROM_ADDRESS = "from-address";
    static final String FROM_NAME = "from-name";
    static final String TIMEOUT_SECONDS = "timeout-seconds";

    private static final int MAX_TIMEOUT_SECONDS = 300;
    private static final Pattern WHOLE_NUMBER = Pattern.compile("[0-9]{1,9}");
    // a DNS name or an IPv4/IPv6 address, nothing that could smuggle a second value into the connection
    private static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.:_-]*[A-Za-z0-9])?");

    /** How the connection to the SMTP server is protected. */
    enum Security {
        /** Plain connection upgraded with STARTTLS; refused if the server does not offer it. */
        STARTTLS,
        /** TLS from the first byte ("SMTPS", usually port 465). */
        TLS,
        /** No encryption: only for a relay on a trusted network. */
        NONE;

        String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Optional<Security> byWireName(String name) {
            return Arrays.stream(values()).filter(s -> s.wireName().equals(name)).findFirst();
        }
    }

    static final ConfigSchema SCHEMA = ConfigSchema.of(
            ConfigField.string(HOST, "SMTP server",
                    "The name or address of the mail server Miaobu hands messages to, e.g. smtp.example.com.")
                    .asRequired(),
            new ConfigField(PORT, "Port",
                    "587 for STARTTLS (the usual submission port), 465 for implicit TLS, 25 for a plain relay.",
                    ConfigFieldType.INTEGER, "587", true, List.of()),
            new ConfigField(SECURITY, "Security",
                    "starttls: connect, then require the server to switch to TLS (port 587). tls: TLS from the"
                            + " start (port 465). none: no encryption, only for a relay on a trusted network.",
                    ConfigFieldType.CHOICE, Security.STARTTLS.wireName(), true,
                    Arrays.stream(Security.values()).map(Security::wireName).toList()),
            ConfigField.string(USERNAME, "Username",
                    "The SMTP user to sign in as. Leave empty to send without signing in."),
            ConfigField.secret(PASSWORD, "Password", "The SMTP user's password or app password."),
            ConfigField.string(FROM_ADDRESS, "From address",
                    "The address messages come from, e.g. miaobu@example.com. Most mail servers only accept"
                            + " addresses the SMTP user may send as.")
                    .asRequired(),
            ConfigField.string(FROM_NAME, "From name", "The name shown as the sender.").withDefault("Miaobu"),
            new ConfigField(TIMEOUT_SECONDS, "Timeout (seconds)",
                    "How long to wait for the connection and for each answer of the mail server before trying"
                            + " again later.",
                    ConfigFieldType.INTEGER, "20", true, List.of()));

    /** What is wrong with these values; field names are the schema's. Empty when they can be used. */
    static List<ConfigProblem> problems(ConfigValues values) {
        var problems = new ArrayList<ConfigProblem>();
        String host = value(values, HOST);
        if (host.isEmpty()) {
            problems.add(new ConfigProblem(HOST, "Give the name or address of the SMTP server."));
        } else if (!HOST_NAME.matcher(host).matches()) {
            problems.add(new ConfigProblem(HOST, "Not a host name or address, e.g. smtp.example.com."));
        }
        if (wholeNumber(value(values, PORT)).filter(port -> port >= 1 && port <= 65535).isEmpty()) {
            problems.add(new ConfigProblem(PORT, "A port number from 1 to 65535, e.g. 587."));
        }
        if (Security.byWireName(value(values, SECURITY)).isEmpty()) {
            problems.add(new ConfigProblem(SECURITY, "One of starttls, tls or none."));
        }
        if (value(values, USERNAME).isEmpty() && values.secret(PASSWORD).isPresent()) {
            problems.add(new ConfigProblem(USERNAME, "Give the username the password belongs to."));
        }
        String from = value(values, FROM_ADDRESS);
        if (from.isEmpty()) {
            problems.add(new ConfigProblem(FROM_ADDRESS, "Give the address messages come from."));
        } else {
            addressProblem(from).ifPresent(message -> problems.add(new ConfigProblem(FROM_ADDRESS, message)));
        }
        if (value(values, FROM_NAME).chars().anyMatch(Character::isISOControl)) {
            problems.add(new ConfigProblem(FROM_NAME, "One line of text."));
        }
        if (wholeNumber(value(values, TIMEOUT_SECONDS)).filter(s -> s >= 1 && s <= MAX_TIMEOUT_SECONDS).isEmpty()) {
            problems.add(new ConfigProblem(TIMEOUT_SECONDS,
                    "A whole number of seconds from 1 to " + MAX_TIMEOUT_SECONDS + ", e.g. 20."));
        }
        return problems;
    }

    /**
     * Reads saved values, falling back to the schema's defaults.
     *
     * @throws IllegalArgumentException naming the first {@linkplain #problems problem} when they cannot be used
     */
    static SmtpSettings from(ConfigValues values) {
        List<ConfigProblem> problems = problems(values);
        if (!problems.isEmpty()) {
            ConfigProblem first = problems.get(0);
            throw new IllegalArgumentException(first.field() + ": " + first.message());
        }
        String username = value(values, USERNAME);
        try {
            InternetAddress from = new InternetAddress(value(values, FROM_ADDRESS), true);
            from.setPersonal(value(values, FROM_NAME), "UTF-8");
            return new SmtpSettings(
                    value(values, HOST),
                    Integer.parseInt(value(values, PORT)),
                    Security.byWireName(value(values, SECURITY)).orElseThrow(),
                    username.isEmpty() ? null : username,
                    values.secret(PASSWORD).orElse(null),
                    from,
                    Duration.ofSeconds(Long.parseLong(value(values, TIMEOUT_SECONDS))));
        } catch (AddressException | java.io.UnsupportedEncodingException e) {
            throw new IllegalArgumentException(FROM_ADDRESS + ": " + e.getMessage(), e);
        }
    }

    /**
     * Why {@code address} cannot be used as one plain mailbox ({@code someone@example.com}), or empty when it can.
     * Used for the sender and for recipients.
     */
    static Optional<String> addressProblem(String address) {
        try {
            InternetAddress[] parsed = InternetAddress.parse(address, true);
            if (parsed.length != 1) {
                return Optional.of("One address, e.g. miaobu@example.com.");
            }
            InternetAddress only = parsed[0];
            if (only.getPersonal() != null || !only.getAddress().equals(address.strip())) {
                return Optional.of("Only the address, e.g. miaobu@example.com; the name goes into its own field.");
            }
            if (only.isGroup() || only.getAddress().indexOf('@') < 1) {
                return Optional.of("Not an email address, e.g. miaobu@example.com.");
            }
            only.validate();
            return Optional.empty();
        } catch (AddressException e) {
            return Optional.of("Not an email address, e.g. miaobu@example.com.");
        }
    }

    /** "host:port", for messages. */
    String server() {
        return host + ":" + port;
    }

    /** ASCII digits only: {@link Integer#parseInt} would also take other scripts' digits. */
    private static Optional<Integer> wholeNumber(String text) {
        return WHOLE_NUMBER.matcher(text).matches() ? Optional.of(Integer.parseInt(text)) : Optional.empty();
    }

    private static String value(ConfigValues values, String name) {
        String fallback = SCHEMA.field(name).map(ConfigField::defaultValue).orElse(null);
        return values.get(name).orElse(fallback == null ? "" : fallback).strip();
    }
}
