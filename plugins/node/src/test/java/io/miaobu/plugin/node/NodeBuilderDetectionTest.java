package io.miaobu.plugin.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.miaobu.api.ExtensionException;
import io.miaobu.api.build.BuildPlan;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NodeBuilderDetectionTest {

    private static final String DEPENDENCY = "{\"name\":\"site\",\"scripts\":{\"build\":\"vite build\"},"
            + "\"devDependencies\":{\"vite\":\"^7.1.7\"}";

    private final NodeBuilder builder = new NodeBuilder();

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            vite                | vite             | npm  | npm install                     | npm run build        | dist
            vite-react          | vite             | npm  | npm ci                          | npm run build        | dist
            vite-outdir         | vite             | npm  | npm install                     | npm run build        | site-dist
            create-react-app    | create-react-app | yarn | yarn install --frozen-lockfile  | yarn build           | build
            next-export         | next             | pnpm | pnpm install --frozen-lockfile  | pnpm run build       | out
            next-distdir        | next             | npm  | npm install                     | npm run build        | build
            vue-cli             | vue-cli          | npm  | npm install                     | npm run build        | dist
            nuxt                | nuxt             | npm  | npm install                     | npm run generate     | .output/public
            nuxt2               | nuxt             | npm  | npm install                     | npm run generate     | dist
            gatsby              | gatsby           | npm  | npm install                     | npm run build        | public
            angular17           | angular          | npm  | npm install                     | npm run build        | dist/my-app/browser
            angular15           | angular          | npm  | npm install                     | npm run build        | dist/legacy-app
            angular-no-config   | angular          | npm  | npm install                     | npx ng build         | dist/shop/browser
            sveltekit           | sveltekit        | npm  | npm install                     | npm run build        | build
            svelte-vite         | svelte           | npm  | npm install                     | npm run build        | dist
            docusaurus          | docusaurus       | npm  | npm install                     | npm run build        | build
            vuepress            | vuepress         | npm  | npm install                     | npm run docs:build   | docs/.vuepress/dist
            vuepress2           | vuepress         | npm  | npm install                     | npm run docs:build   | src/.vuepress/dist
            vitepress           | vitepress        | npm  | npm install                     | npm run docs:build   | docs/.vitepress/dist
            astro               | astro            | npm  | npm install                     | npm run build        | dist
            eleventy            | eleventy         | npm  | npm install                     | npm run build        | _site
            eleventy-cli        | eleventy         | npm  | npm install                     | npx eleventy         | public
            plain-node          | node             | npm  | -                               | npm run build        | dist
            static-with-tooling | node             | npm  | npm install                     | -                    | .
            static              | static           | -    | -                               | -                    | .
            """)
    void detectsTheFrameworkOfAStarterProject(String fixture, String framework, String packageManager,
                                              String install, String build, String output) throws Exception {
        BuildPlan plan = builder.detect(fixture(fixture)).orElseThrow();

        assertThat(plan).isEqualTo(new BuildPlan(framework, packageManager, install, build, output,
                plan.runtimeVersion()));
    }

    @Test
    void recognisesNothingWithoutPackageJsonOrIndexHtml() throws Exception {
        assertThat(builder.detect(fixture("nothing"))).isEmpty();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            pnpm-lock.yaml           | pnpm | pnpm install --frozen-lockfile | pnpm run build
            yarn.lock                | yarn | yarn install --frozen-lockfile | yarn build
            package-lock.json        | npm  | npm ci                         | npm run build
            npm-shrinkwrap.json      | npm  | npm ci                         | npm run build
            none                     | npm  | npm install                    | npm run build
            yarn.lock,.yarnrc.yml    | yarn | yarn install --immutable       | yarn build
            pnpm-lock.yaml,yarn.lock | pnpm | pnpm install --frozen-lockfile | pnpm run build
            """)
    void choosesThePackageManagerFromTheLockfile(String files, String packageManager, String install, String build)
            throws Exception {
        write("package.json", DEPENDENCY + "}");
        for (String file : files.split(",")) {
            if (!file.equals("none")) {
                write(file, "");
            }
        }

        BuildPlan plan = builder.detect(dir).orElseThrow();

        assertThat(plan.packageManager()).isEqualTo(packageManager);
        assertThat(plan.installCommand()).isEqualTo(install);
        assertThat(plan.buildCommand()).isEqualTo(build);
    }

    @ParameterizedTest(name = "{0} with {1}")
    @CsvSource(delimiter = '|', textBlock = """
            pnpm@9.1.0                 | none              | pnpm | pnpm install
            pnpm@9.1.0+sha512.abc      | pnpm-lock.yaml    | pnpm | pnpm install --frozen-lockfile
            yarn@1.22.22               | yarn.lock         | yarn | yarn install --frozen-lockfile
            yarn@4.5.0                 | yarn.lock         | yarn | yarn install --immutable
            npm@10.8.2                 | package-lock.json | npm  | npm ci
            npm@10.8.2                 | yarn.lock         | npm  | npm install
            """)
    void honoursThePackageManagerField(String field, String lockfile, String packageManager, String install)
            throws Exception {
        write("package.json", DEPENDENCY + ",\"packageManager\":\"" + field + "\"}");
        if (!lockfile.equals("none")) {
            write(lockfile, "");
        }

        BuildPlan plan = builder.detect(dir).orElseThrow();

        assertThat(plan.packageManager()).isEqualTo(packageManager);
        assertThat(plan.installCommand()).isEqualTo(install);
    }

    @Test
    void installsNothingWhenThereAreNoDependencies() throws Exception {
        write("package.json", "{\"name\":\"site\",\"scripts\":{\"build\":\"node build.js\"},\"dependencies\":{}}");
        write("package-lock.json", "{}");

        BuildPlan plan = builder.detect(dir).orElseThrow();

        assertThat(plan.installCommand()).isEmpty();
        assertThat(plan.buildCommand()).isEqualTo("npm run build");
    }

    @Test
    void runsTheFrameworkCliWhenThereIsNoBuildScript() throws Exception {
        write("package.json", "{\"dependencies\":{\"gatsby\":\"^5.14.6\"}}");
        write("yarn.lock", "");

        assertThat(builder.detect(dir).orElseThrow().buildCommand()).isEqualTo("yarn gatsby build");
    }

    @Test
    void takesTheNodeVersionFromEngines() throws Exception {
        write("package.json", "{\"engines\":{\"node\":\">=20.0\"}}");

        assertThat(builder.detect(dir).orElseThrow().runtimeVersion()).isEqualTo(">=20.0");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            .nvmrc        | '20.11.1\n'         | 20.11.1
            .nvmrc        | '# pinned\nlts/iron' | lts/iron
            .node-version | 'v22.3.0'          | v22.3.0
            """)
    void prefersAVersionFileOverEngines(String file, String content, String version) throws Exception {
        write("package.json", "{\"engines\":{\"node\":\">=18\"}}");
        write(file, content.replace("\\n", "\n"));

        assertThat(builder.detect(dir).orElseThrow().runtimeVersion()).isEqualTo(version);
    }

    @Test
    void hasNoNodeVersionWhenNoneIsGiven() throws Exception {
        write("package.json", "{}");

        assertThat(builder.detect(dir).orElseThrow().runtimeVersion()).isEmpty();
    }

    @Test
    void fallsBackToDistForAnUnknownProjectWithABuildScript() throws Exception {
        write("package.json", "{\"scripts\":{\"build\":\"make\"},\"dependencies\":{\"left-pad\":\"1.3.0\"}}");

        BuildPlan plan = builder.detect(dir).orElseThrow();

        assertThat(plan.framework()).isEqualTo("node");
        assertThat(plan.outputDirectory()).isEqualTo("dist");
    }

    @Test
    void reportsAnInvalidPackageJson() throws Exception {
        write("package.json", "{\"name\": \"site\",\n  \"scripts\": {");

        assertThatThrownBy(() -> builder.detect(dir))
                .isInstanceOf(ExtensionException.class)
                .hasMessageStartingWith("package.json is not valid JSON (line 2)");
    }

    private void write(String name, String content) throws Exception {
        Files.writeString(dir.resolve(name), content);
    }

    private static Path fixture(String name) throws Exception {
        return Path.of(NodeBuilderDetectionTest.class.getResource("NodeBuilderDetectionTest/" + name).toURI());
    }
}
