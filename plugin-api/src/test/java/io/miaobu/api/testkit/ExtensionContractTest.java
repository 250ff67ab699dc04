package io.miaobu.api.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.miaobu.api.MiaobuExtension;
import io.miaobu.api.build.BuildOutput;
import io.miaobu.api.build.BuildPlan;
import io.miaobu.api.build.Builder;
import io.miaobu.api.build.BuildContext;
import io.miaobu.api.host.OutboundHttp;
import io.miaobu.api.testkit.fixture.BadlyMadeNotifier;
import io.miaobu.api.testkit.fixture.WellMadeNotifier;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pf4j.Extension;

class ExtensionContractTest {

    @TempDir
    Path temp;

    @Test
    void findsNothingWrongWithAWellMadeExtension() {
        assertThat(ExtensionContract.check(new WellMadeNotifier(new RecordingOutboundHttp()))).isEmpty();
    }

    @Test
    void runsOneDynamicTestPerRuleForSubclasses() throws Throwable {
        ExtensionContract contract = new ExtensionContract() {
            @Override
            protected MiaobuExtension extension() {
                return new WellMadeNotifier(new RecordingOutboundHttp(), Clock.systemUTC());
            }
        };

        List<DynamicTest> tests = contract.extensionContract().toList();

        assertThat(tests).extracting(DynamicTest::getDisplayName).containsExactly(
                "id is stable kebab-case",
                "display name is not blank",
                "implements an extension point",
                "is marked @Extension and listed in META-INF/extensions.idx",
                "the host can create it",
                "keeps no mutable state in fields",
                "settings schemas are well formed",
                "validate takes the default settings without throwing");
        for (DynamicTest test : tests) {
            test.getExecutable().execute();
        }
    }

    @Test
    void namesEveryProblemOfABadlyMadeExtension() {
        List<String> problems = ExtensionContract.check(new BadlyMadeNotifier("x"));

        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("id() is \"Badly_Made\": use lower-case"));
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("displayName() is blank"));
        assertThat(problems).anySatisfy(p -> assertThat(p).endsWith(
                "BadlyMadeNotifier is not annotated @org.pf4j.Extension: PF4J does not see it."));
        assertThat(problems).anySatisfy(p -> assertThat(p).contains("BadlyMadeNotifier is not listed in")
                .contains("META-INF/extensions.idx"));
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith(
                "The public constructor of BadlyMadeNotifier asks for a java.lang.String: the host passes only"));
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith(
                "Field BadlyMadeNotifier.deliveries is not final"));
        assertThat(problems).noneSatisfy(p -> assertThat(p).contains("BadlyMadeNotifier.name"));
        assertThat(problems).contains(
                "globalSettings() setting 'apiToken': its name is stored with the values; use kebab-case (like"
                        + " \"api-url\").",
                "globalSettings() setting 'password' is a SECRET with a default value: a default ships inside the"
                        + " plugin for everyone to read. Leave it empty, or use ConfigField.generatedSecret.",
                "globalSettings() setting 'retries' has the default 'ten', which the host refuses: Retries must be a"
                        + " whole number.",
                "globalSettings() setting 'format' lists an option twice.",
                "globalSettings() setting 'format' has the default 'xml', which the host refuses: Format must be one"
                        + " of json, json.",
                "globalSettings() setting 'endpoint' has a blank label: the settings form shows the label.",
                "globalSettings() setting 'endpoint' has the default 'example.com', which the host refuses:   must be"
                        + " an absolute http or https URL.",
                "globalSettings() setting 'region' has options but is STRING: only a CHOICE uses options.",
                "globalSettings() setting 'region' has the default {generated}, which only a SECRET field turns into"
                        + " a generated value.",
                "projectSettings() returned null: return ConfigSchema.EMPTY for no settings.",
                "validateChannel(channel defaults) returned a problem for 'colour', which is not a setting of the"
                        + " schema: the form cannot show it beside a field.");
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith(
                "globalSettings() setting 'apiToken' looks like a secret but is STRING: make it a SECRET"));
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith(
                "validate(global defaults, ConfigValues.EMPTY) threw java.lang.IllegalStateException: not ready"));
    }

    @Test
    void failsTheDynamicTestOfTheRuleThatIsBroken() {
        ExtensionContract contract = new ExtensionContract() {
            @Override
            protected MiaobuExtension extension() {
                return new BadlyMadeNotifier("x");
            }
        };
        DynamicTest idRule = contract.extensionContract().findFirst().orElseThrow();

        assertThatThrownBy(() -> idRule.getExecutable().execute()).isInstanceOf(AssertionError.class)
                .hasMessageStartingWith(BadlyMadeNotifier.class.getName()
                        + " breaks the extension contract rule \"id is stable kebab-case\":\n  - id() is \"Badly_Made\"");
    }

    @Test
    void assertSatisfiedByListsTheProblems() {
        assertThatThrownBy(() -> ExtensionContract.assertSatisfiedBy(new BadlyMadeNotifier("x")))
                .isInstanceOf(AssertionError.class).hasMessageContaining("Badly_Made");
    }

    @Test
    void refusesConstructorsTheHostCannotChooseBetween() {
        assertThat(ExtensionContract.check(new TwoConstructorsBuilder(Clock.systemUTC()))).containsExactly(
                TwoConstructorsBuilder.class.getName() + " has 2 public constructors with 1 parameters: the host"
                        + " takes the one with the most parameters and cannot choose between them. Keep one of them"
                        + " public.");
    }

    @Test
    void wantsAnExtensionPointNotOnlyMiaobuExtension() {
        assertThat(ExtensionContract.check(new PointlessExtension())).containsExactly(PointlessExtension.class.getName()
                + " implements no extension point: implement one of io.miaobu.api's points (Notifier, Builder,"
                + " DeployTarget, ...), not only MiaobuExtension.");
    }

    @Test
    void readsTheIndexOfTheJarTheClassCameFrom() throws Exception {
        Path listed = jarWithWellMadeNotifier("listed.jar", WellMadeNotifier.class.getName());
        Path unlisted = jarWithWellMadeNotifier("unlisted.jar", "com.example.Other");
        Path noIndex = jarWithWellMadeNotifier("no-index.jar", null);

        assertThat(checkLoadedFrom(listed)).isEmpty();
        assertThat(checkLoadedFrom(unlisted)).containsExactly(WellMadeNotifier.class.getName() + " is not listed in "
                + unlisted + "/META-INF/extensions.idx: PF4J will not create it. Is annotation processing on, and"
                + " was the class compiled with it?");
        assertThat(checkLoadedFrom(noIndex)).singleElement().asString()
                .startsWith(noIndex + " has no META-INF/extensions.idx: PF4J's annotation processor did not run.");
    }

    /** A jar holding WellMadeNotifier's class file, and an extensions.idx listing {@code indexed} unless null. */
    private Path jarWithWellMadeNotifier(String name, String indexed) throws IOException {
        Path jar = temp.resolve(name);
        String classFile = WellMadeNotifier.class.getName().replace('.', '/') + ".class";
        try (OutputStream file = Files.newOutputStream(jar); var out = new JarOutputStream(file);
             InputStream bytes = WellMadeNotifier.class.getClassLoader().getResourceAsStream(classFile)) {
            out.putNextEntry(new JarEntry(classFile));
            bytes.transferTo(out);
            if (indexed != null) {
                out.putNextEntry(new JarEntry("META-INF/extensions.idx"));
                out.write(("# Generated by PF4J\n" + indexed + "\n").getBytes(StandardCharsets.UTF_8));
            }
        }
        return jar;
    }

    /** Loads WellMadeNotifier from {@code jar} (not from the test classes) and checks it. */
    private static List<String> checkLoadedFrom(Path jar) throws Exception {
        String target = WellMadeNotifier.class.getName();
        try (var loader = new URLClassLoader(new URL[] {jar.toUri().toURL()},
                ExtensionContractTest.class.getClassLoader()) {
            @Override
            protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
                if (!name.equals(target)) {
                    return super.loadClass(name, resolve);
                }
                synchronized (getClassLoadingLock(name)) {
                    Class<?> loaded = findLoadedClass(name);
                    return loaded != null ? loaded : findClass(name);
                }
            }
        }) {
            Class<?> type = loader.loadClass(target);
            assertThat(type).isNotSameAs(WellMadeNotifier.class);
            var extension = (MiaobuExtension) type.getConstructor(OutboundHttp.class)
                    .newInstance(new RecordingOutboundHttp());
            return ExtensionContract.check(extension);
        }
    }

    @Extension
    public static final class TwoConstructorsBuilder implements Builder {

        public TwoConstructorsBuilder(Clock clock) {
        }

        public TwoConstructorsBuilder(OutboundHttp http) {
        }

        @Override
        public String id() {
            return "two-constructors";
        }

        @Override
        public String displayName() {
            return "Two constructors";
        }

        @Override
        public Optional<BuildPlan> detect(Path sourceDirectory) {
            return Optional.empty();
        }

        @Override
        public BuildOutput build(BuildContext context) {
            return new BuildOutput(context.sourceDirectory());
        }
    }

    @Extension
    public static final class PointlessExtension implements MiaobuExtension {

        @Override
        public String id() {
            return "pointless";
        }

        @Override
        public String displayName() {
            return "Pointless";
        }
    }
}
