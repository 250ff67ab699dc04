package io.miaobu.api.testkit;

import io.miaobu.api.MiaobuExtension;
import io.miaobu.api.Secret;
import io.miaobu.api.config.ConfigField;
import io.miaobu.api.config.ConfigFieldType;
import io.miaobu.api.config.ConfigProblem;
import io.miaobu.api.config.ConfigSchema;
import io.miaobu.api.config.ConfigValues;
import io.miaobu.api.host.HostInfo;
import io.miaobu.api.host.OutboundHttp;
import io.miaobu.api.notify.Notifier;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.pf4j.Extension;

/**
 * The contract every Miaobu extension should pass: what the host relies on and cannot check until an admin installs
 * the plugin. Checked without a server, in the extension author's own tests.
 *
 * <p>Either extend it, and JUnit runs one test per rule:
 *
 * <pre>{@code
 * class MyNotifierTest extends ExtensionContract {
 *
 *     @Override
 *     protected MiaobuExtension extension() {
 *         return new MyNotifier(new RecordingOutboundHttp(), TestClock.at(TestEvents.AT));
 *     }
 *
 *     // ... your own tests of MyNotifier
 * }
 * }</pre>
 *
 * <p>or call {@link #check(MiaobuExtension)} (the problems, empty when there are none) or
 * {@link #assertSatisfiedBy(MiaobuExtension)} from any test.
 *
 * <p>The rules:
 * <ol>
 *   <li><b>id is stable kebab-case</b>: {@code id()} is lower-case letters and digits in words joined by single
 *       hyphens, and the same on every call (it is stored with projects and deployments).</li>
 *   <li><b>display name is not blank</b>, and the same on every call.</li>
 *   <li><b>implements an extension point</b> of {@code io.miaobu.api} ({@code Notifier}, {@code Builder}, ...), not
 *       only {@code MiaobuExtension}.</li>
 *   <li><b>is marked @Extension and listed in META-INF/extensions.idx</b>: the class carries
 *       {@code @org.pf4j.Extension} and the {@code META-INF/extensions.idx} next to it (in the same classes directory
 *       or jar) names it. PF4J finds extensions only through that file, which its annotation processor writes at
 *       compile time: with annotation processing off ({@code -proc:full} missing on JDK 23+) it is empty.</li>
 *   <li><b>the host can create it</b>: a public, concrete, top-level (or static nested) class whose public constructor
 *       with the most parameters is the only one with that many, and takes only {@link HostInfo},
 *       {@link OutboundHttp} and {@link Clock}.</li>
 *   <li><b>keeps no mutable state in fields</b>: every instance field is {@code final} (or {@code volatile}, for a
 *       deliberate cache): the host shares one instance between all threads.</li>
 *   <li><b>settings schemas are well formed</b> ({@code globalSettings()}, {@code projectSettings()} and, for a
 *       {@code Notifier}, {@code channelSettings()}): none is null; field names are unique and kebab-case; labels
 *       are not blank; a field whose name says it holds a secret ({@code password}, {@code secret}, {@code token},
 *       {@code api-key}, {@code private-key}, ...) is a {@code SECRET}, not {@code STRING} or {@code TEXT}; a secret
 *       has no default (except {@link ConfigField#GENERATED} for a generated one); only a {@code CHOICE} has options,
 *       and they are not blank nor repeated; every default is valid for its type, as the host checks a saved value
 *       ({@link TestSettings#problem}), at most 4000 characters and without control characters.</li>
 *   <li><b>validate takes the default settings without throwing</b>: {@code validate} (and a {@code Notifier}'s
 *       {@code validateChannel}) called with the defaults returns a list, never {@code null} and never throws (the
 *       host shows "The extension could not check these settings." for an exception), and every problem it returns
 *       names a field of the schema, or none, with a message.</li>
 * </ol>
 *
 * <p>The rules cannot tell whether an extension is really stateless or thread-safe, or whether it honours
 * interruption: test what it does with the other fakes of this testkit.
 */
public abstract class ExtensionContract {

    private static final Pattern KEBAB = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");
    private static final Pattern SECRET_NAME = Pattern.compile(
            "password|passwd|passphrase|secret|token|credential|api-?key|private-?key|signing-?key");
    private static final Set<Class<?>> HOST_SERVICES = Set.of(HostInfo.class, OutboundHttp.class, Clock.class);
    private static final int MAX_VALUE = 4000;

    /** A named rule and how to check it. */
    private record Rule(String name, Function<MiaobuExtension, List<String>> check) {
    }

    private static final List<Rule> RULES = List.of(
            new Rule("id is stable kebab-case", ExtensionContract::idProblems),
            new Rule("display name is not blank", ExtensionContract::displayNameProblems),
            new Rule("implements an extension point", ExtensionContract::extensionPointProblems),
            new Rule("is marked @Extension and listed in META-INF/extensions.idx", ExtensionContract::indexProblems),
            new Rule("the host can create it", ExtensionContract::constructorProblems),
            new Rule("keeps no mutable state in fields", ExtensionContract::fieldProblems),
            new Rule("settings schemas are well formed", ExtensionContract::schemaProblems),
            new Rule("validate takes the default settings without throwing", ExtensionContract::validateProblems));

    /** For subclasses. */
    protected ExtensionContract() {
    }

    /**
     * The extension under test, created as the host would: with its public constructor, given fakes of the host
     * services ({@link TestHostInfo}, {@link RecordingOutboundHttp}, {@link TestClock}). Called once per run of the
     * contract.
     */
    protected abstract MiaobuExtension extension();

    /** One test per rule, named after it; each fails with the problems it found. */
    @TestFactory
    public Stream<DynamicTest> extensionContract() {
        MiaobuExtension extension = extension();
        return RULES.stream().map(rule -> DynamicTest.dynamicTest(rule.name(), () -> {
            List<String> problems = rule.check().apply(extension);
            if (!problems.isEmpty()) {
                throw new AssertionError(extension.getClass().getName() + " breaks the extension contract rule \""
                        + rule.name() + "\":\n  - " + String.join("\n  - ", problems));
            }
        }));
    }

    /**
     * Checks every rule.
     *
     * @return what is wrong, one sentence each; empty when the extension passes
     */
    public static List<String> check(MiaobuExtension extension) {
        List<String> problems = new ArrayList<>();
        for (Rule rule : RULES) {
            problems.addAll(rule.check().apply(extension));
        }
        return problems;
    }

    /**
     * Checks every rule.
     *
     * @throws AssertionError listing every problem, when there is one
     */
    public static void assertSatisfiedBy(MiaobuExtension extension) {
        List<String> problems = check(extension);
        if (!problems.isEmpty()) {
            throw new AssertionError(describe(extension, problems));
        }
    }

    private static String describe(MiaobuExtension extension, List<String> problems) {
        return extension.getClass().getName() + " breaks the extension contract:\n  - "
                + String.join("\n  - ", problems);
    }

    // ---- 1 and 2: id and display name

    private static List<String> idProblems(MiaobuExtension extension) {
        List<String> problems = new ArrayList<>();
        Outcome<String> first = call(extension::id);
        if (first.failure() != null) {
            problems.add("id() threw " + first.failure());
            return problems;
        }
        String id = first.value();
        if (id == null) {
            problems.add("id() returned null.");
            return problems;
        }
        if (!KEBAB.matcher(id).matches()) {
            problems.add("id() is \"" + id + "\": use lower-case letters and digits, words joined by single hyphens"
                    + " (like \"notify-log\").");
        }
        Outcome<String> second = call(extension::id);
        if (!id.equals(second.value())) {
            problems.add("id() changed between two calls (\"" + id + "\", then \"" + second.value() + "\"): it is"
                    + " stored with projects and deployments and must never change.");
        }
        return problems;
    }

    private static List<String> displayNameProblems(MiaobuExtension extension) {
        Outcome<String> first = call(extension::displayName);
        if (first.failure() != null) {
            return List.of("displayName() threw " + first.failure());
        }
        if (first.value() == null || first.value().isBlank()) {
            return List.of("displayName() is " + (first.value() == null ? "null" : "blank")
                    + ": pages show it wherever the extension is listed or chosen.");
        }
        if (!first.value().equals(call(extension::displayName).value())) {
            return List.of("displayName() changed between two calls.");
        }
        return List.of();
    }

    // ---- 3, 4, 5 and 6: the class as the host loads and creates it

    private static List<String> extensionPointProblems(MiaobuExtension extension) {
        Deque<Class<?>> toVisit = new ArrayDeque<>();
        for (Class<?> type = extension.getClass(); type != null; type = type.getSuperclass()) {
            toVisit.addAll(Arrays.asList(type.getInterfaces()));
        }
        Set<Class<?>> seen = new HashSet<>();
        while (!toVisit.isEmpty()) {
            Class<?> candidate = toVisit.pop();
            if (!seen.add(candidate)) {
                continue;
            }
            if (candidate != MiaobuExtension.class && MiaobuExtension.class.isAssignableFrom(candidate)
                    && candidate.getPackageName().startsWith("io.miaobu.api")) {
                return List.of();
            }
            toVisit.addAll(Arrays.asList(candidate.getInterfaces()));
        }
        return List.of(extension.getClass().getName() + " implements no extension point: implement one of"
                + " io.miaobu.api's points (Notifier, Builder, DeployTarget, ...), not only MiaobuExtension.");
    }

    private static List<String> indexProblems(MiaobuExtension extension) {
        Class<?> type = extension.getClass();
        List<String> problems = new ArrayList<>();
        if (!type.isAnnotationPresent(Extension.class)) {
            problems.add(type.getName() + " is not annotated @org.pf4j.Extension: PF4J does not see it.");
        }
        Optional<Path> location = location(type);
        if (location.isEmpty()) {
            problems.add("Cannot tell where " + type.getName() + " was loaded from, to read its"
                    + " META-INF/extensions.idx.");
            return problems;
        }
        Optional<List<String>> listed;
        try {
            listed = readIndex(location.get());
        } catch (IOException e) {
            problems.add("Cannot read META-INF/extensions.idx in " + location.get() + ": " + e);
            return problems;
        }
        if (listed.isEmpty()) {
            problems.add(location.get() + " has no META-INF/extensions.idx: PF4J's annotation processor did not run."
                    + " Compile with -proc:full (<proc>full</proc> in maven-compiler-plugin) and pf4j on the class"
                    + " path.");
        } else if (!listed.get().contains(type.getName()) && !listed.get().contains(type.getCanonicalName())) {
            problems.add(type.getName() + " is not listed in " + location.get() + "/META-INF/extensions.idx: PF4J"
                    + " will not create it. Is annotation processing on, and was the class compiled with it?");
        }
        return problems;
    }

    private static Optional<Path> location(Class<?> type) {
        CodeSource source = type.getProtectionDomain().getCodeSource();
        URL url = source == null ? null : source.getLocation();
        if (url == null || !url.getProtocol().equals("file")) {
            return Optional.empty();
        }
        try {
            return Optional.of(Path.of(url.toURI()));
        } catch (URISyntaxException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The class names in the {@code META-INF/extensions.idx} of a classes directory or jar; empty when it has none. */
    private static Optional<List<String>> readIndex(Path location) throws IOException {
        String text;
        if (Files.isDirectory(location)) {
            Path index = location.resolve("META-INF").resolve("extensions.idx");
            if (!Files.isRegularFile(index)) {
                return Optional.empty();
            }
            text = Files.readString(index, StandardCharsets.UTF_8);
        } else {
            try (ZipFile jar = new ZipFile(location.toFile())) {
                var entry = jar.getEntry("META-INF/extensions.idx");
                if (entry == null) {
                    return Optional.empty();
                }
                text = new String(jar.getInputStream(entry).readAllBytes(), StandardCharsets.UTF_8);
            }
        }
        return Optional.of(text.lines().map(String::strip).filter(line -> !line.isEmpty() && !line.startsWith("#"))
                .toList());
    }

    private static List<String> constructorProblems(MiaobuExtension extension) {
        Class<?> type = extension.getClass();
        List<String> problems = new ArrayList<>();
        int modifiers = type.getModifiers();
        if (!Modifier.isPublic(modifiers)) {
            problems.add(type.getName() + " is not public: the host cannot create it.");
        }
        if (Modifier.isAbstract(modifiers)) {
            problems.add(type.getName() + " is abstract: the host cannot create it.");
        }
        if (type.isAnonymousClass() || type.isLocalClass() || type.isMemberClass() && !Modifier.isStatic(modifiers)) {
            problems.add(type.getName() + " is an inner, local or anonymous class: make it a top-level class.");
        }
        Constructor<?>[] constructors = type.getConstructors();
        if (constructors.length == 0) {
            problems.add(type.getName() + " has no public constructor: the host creates extensions with theirs.");
            return problems;
        }
        int most = Arrays.stream(constructors).mapToInt(Constructor::getParameterCount).max().orElseThrow();
        List<Constructor<?>> longest = Arrays.stream(constructors).filter(c -> c.getParameterCount() == most)
                .toList();
        if (longest.size() > 1) {
            problems.add(type.getName() + " has " + longest.size() + " public constructors with " + most
                    + " parameters: the host takes the one with the most parameters and cannot choose between them."
                    + " Keep one of them public.");
        }
        for (Constructor<?> constructor : longest) {
            for (Class<?> parameter : constructor.getParameterTypes()) {
                if (!HOST_SERVICES.contains(parameter)) {
                    problems.add("The public constructor of " + type.getSimpleName() + " asks for a "
                            + parameter.getName() + ": the host passes only HostInfo, OutboundHttp and Clock, and"
                            + " without them the extension is not created.");
                }
            }
        }
        return problems;
    }

    private static List<String> fieldProblems(MiaobuExtension extension) {
        List<String> problems = new ArrayList<>();
        for (Class<?> type = extension.getClass(); type != null && type != Object.class; type = type.getSuperclass()) {
            for (Field field : type.getDeclaredFields()) {
                int modifiers = field.getModifiers();
                if (field.isSynthetic() || Modifier.isStatic(modifiers) || Modifier.isFinal(modifiers)
                        || Modifier.isVolatile(modifiers)) {
                    continue;
                }
                problems.add("Field " + type.getSimpleName() + "." + field.getName() + " is not final: the host"
                        + " shares one instance of the extension between all threads, so keep what one call needs in"
                        + " local variables, and make the field final.");
            }
        }
        return problems;
    }

    // ---- 7 and 8: settings

    /** The extension's schemas by the method that returns them; a method that fails or returns null is missing. */
    private static Map<String, Outcome<ConfigSchema>> schemas(MiaobuExtension extension) {
        Map<String, Outcome<ConfigSchema>> schemas = new LinkedHashMap<>();
        schemas.put("globalSettings()", call(extension::globalSettings));
        schemas.put("projectSettings()", call(extension::projectSettings));
        if (extension instanceof Notifier notifier) {
            schemas.put("channelSettings()", call(notifier::channelSettings));
        }
        return schemas;
    }

    private static List<String> schemaProblems(MiaobuExtension extension) {
        List<String> problems = new ArrayList<>();
        schemas(extension).forEach((method, schema) -> {
            if (schema.failure() != null) {
                problems.add(method + " threw " + schema.failure());
            } else if (schema.value() == null) {
                problems.add(method + " returned null: return ConfigSchema.EMPTY for no settings.");
            } else {
                Set<String> names = new HashSet<>();
                for (ConfigField field : schema.value().fields()) {
                    if (!names.add(field.name())) {
                        problems.add(method + " has two settings named '" + field.name() + "'.");
                    }
                    problems.addAll(fieldProblems(method, field));
                }
            }
        });
        return problems;
    }

    private static List<String> fieldProblems(String method, ConfigField field) {
        List<String> problems = new ArrayList<>();
        String name = method + " setting '" + field.name() + "'";
        if (!KEBAB.matcher(field.name()).matches()) {
            problems.add(name + ": its name is stored with the values; use kebab-case (like \"api-url\").");
        }
        if (field.label().isBlank()) {
            problems.add(name + " has a blank label: the settings form shows the label.");
        }
        boolean secretType = field.type() == ConfigFieldType.SECRET;
        if ((field.type() == ConfigFieldType.STRING || field.type() == ConfigFieldType.TEXT)
                && SECRET_NAME.matcher(field.name().toLowerCase(Locale.ROOT)).find()) {
            problems.add(name + " looks like a secret but is " + field.type() + ": make it a SECRET"
                    + " (ConfigField.secret) so it is stored encrypted, never shown again and masked in logs.");
        }
        if (field.type() == ConfigFieldType.CHOICE) {
            if (field.options().stream().anyMatch(String::isBlank)) {
                problems.add(name + " has a blank option.");
            }
            if (new HashSet<>(field.options()).size() != field.options().size()) {
                problems.add(name + " lists an option twice.");
            }
        } else if (!field.options().isEmpty()) {
            problems.add(name + " has options but is " + field.type() + ": only a CHOICE uses options.");
        }
        String defaultValue = field.defaultValue();
        if (defaultValue == null || defaultValue.isEmpty()) {
            return problems;
        }
        if (secretType) {
            if (!field.generated()) {
                problems.add(name + " is a SECRET with a default value: a default ships inside the plugin for"
                        + " everyone to read. Leave it empty, or use ConfigField.generatedSecret.");
            }
            return problems;
        }
        if (ConfigField.GENERATED.equals(defaultValue)) {
            problems.add(name + " has the default " + ConfigField.GENERATED + ", which only a SECRET field turns"
                    + " into a generated value.");
            return problems;
        }
        if (defaultValue.length() > MAX_VALUE) {
            problems.add(name + " has a default longer than " + MAX_VALUE + " characters, which the host refuses.");
        }
        if (field.type() != ConfigFieldType.TEXT && defaultValue.chars().anyMatch(c -> c < 0x20 && c != '\t')) {
            problems.add(name + " has control characters in its default, which the host refuses.");
        }
        TestSettings.problem(field, defaultValue).ifPresent(message -> problems.add(name + " has the default '"
                + defaultValue + "', which the host refuses: " + message));
        return problems;
    }

    private static List<String> validateProblems(MiaobuExtension extension) {
        Map<String, Outcome<ConfigSchema>> schemas = schemas(extension);
        ConfigSchema global = usable(schemas.get("globalSettings()"));
        ConfigSchema project = usable(schemas.get("projectSettings()"));
        ConfigValues globalDefaults = savedDefaults(global);
        ConfigValues projectDefaults = savedDefaults(project);
        Set<String> globalNames = names(global);
        Set<String> bothNames = new HashSet<>(globalNames);
        bothNames.addAll(names(project));

        List<String> problems = new ArrayList<>();
        problems.addAll(checked("validate(global defaults, ConfigValues.EMPTY)",
                () -> extension.validate(globalDefaults, ConfigValues.EMPTY), globalNames));
        problems.addAll(checked("validate(global defaults, project defaults)",
                () -> extension.validate(globalDefaults, projectDefaults), bothNames));
        if (extension instanceof Notifier notifier) {
            ConfigSchema channel = usable(schemas.get("channelSettings()"));
            ConfigValues channelDefaults = savedDefaults(channel);
            problems.addAll(checked("validateChannel(channel defaults)",
                    () -> notifier.validateChannel(channelDefaults), names(channel)));
        }
        return problems;
    }

    private static List<String> checked(String call, Callable<List<ConfigProblem>> validation, Set<String> fields) {
        Outcome<List<ConfigProblem>> outcome = call(validation);
        if (outcome.failure() != null) {
            return List.of(call + " threw " + outcome.failure() + ": return ConfigProblems instead; the host answers"
                    + " an exception with \"The extension could not check these settings.\"");
        }
        if (outcome.value() == null) {
            return List.of(call + " returned null: return List.of() when the settings are fine.");
        }
        List<String> problems = new ArrayList<>();
        for (ConfigProblem problem : outcome.value()) {
            if (problem == null) {
                problems.add(call + " returned a null problem.");
                continue;
            }
            if (problem.field() != null && !fields.contains(problem.field())) {
                problems.add(call + " returned a problem for '" + problem.field() + "', which is not a setting of"
                        + " the schema: the form cannot show it beside a field.");
            }
            if (problem.message() == null || problem.message().isBlank()) {
                problems.add(call + " returned a problem without message.");
            }
        }
        return problems;
    }

    /** The schema's defaults as a saved form would give them: generated secrets filled in with a random value. */
    private static ConfigValues savedDefaults(ConfigSchema schema) {
        var plain = new LinkedHashMap<String, String>();
        var secrets = new LinkedHashMap<String, Secret>();
        for (ConfigField field : schema.fields()) {
            if (field.generated()) {
                secrets.put(field.name(), Secret.of("generated-for-the-contract-test"));
            } else if (!field.secret() && field.defaultValue() != null && !field.defaultValue().isEmpty()) {
                plain.put(field.name(), field.defaultValue());
            }
        }
        return ConfigValues.of(plain, secrets);
    }

    private static ConfigSchema usable(Outcome<ConfigSchema> schema) {
        return schema == null || schema.value() == null ? ConfigSchema.EMPTY : schema.value();
    }

    private static Set<String> names(ConfigSchema schema) {
        Set<String> names = new HashSet<>();
        schema.fields().forEach(field -> names.add(field.name()));
        return names;
    }

    /** What a call returned, or what it threw. */
    private record Outcome<T>(T value, Throwable failure) {
    }

    private static <T> Outcome<T> call(Callable<T> call) {
        try {
            return new Outcome<>(call.call(), null);
        } catch (Exception | LinkageError e) {
            return new Outcome<>(null, e);
        }
    }
}
