package io.miaobu.plugin.node;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Recognises front-end frameworks from a project's dependencies and config files. Rules are tried in order and the
 * first match wins: frameworks built on another (Astro, SvelteKit and VitePress on Vite; Docusaurus on React) come
 * before the one they build on.
 */
final class Frameworks {

    private static final List<String> BUILD = List.of("build");
    private static final List<String> DOCS_BUILD = List.of("build", "docs:build");
    private static final List<String> VITE_CONFIGS =
            List.of("vite.config.ts", "vite.config.js", "vite.config.mjs", "vite.config.mts", "vite.config.cjs");
    private static final Pattern NEXT_EXPORT = Pattern.compile("\\boutput\\s*:\\s*['\"`]export['\"`]");

    private static final List<BiFunction<PackageJson, Path, Optional<FrameworkPlan>>> RULES = List.of(
            Frameworks::nuxt,
            Frameworks::next,
            Frameworks::gatsby,
            Frameworks::docusaurus,
            (pkg, dir) -> docsSite(pkg, dir, "vitepress", pkg.dependsOn("vitepress")),
            (pkg, dir) -> docsSite(pkg, dir, "vuepress",
                    pkg.dependsOn("vuepress") || pkg.dependsOnAnyStartingWith("@vuepress/")),
            Frameworks::astro,
            Frameworks::svelteKit,
            Frameworks::angular,
            Frameworks::createReactApp,
            Frameworks::vueCli,
            Frameworks::eleventy,
            Frameworks::svelte,
            Frameworks::vite);

    private Frameworks() {
    }

    static Optional<FrameworkPlan> detect(PackageJson pkg, Path dir) {
        for (var rule : RULES) {
            Optional<FrameworkPlan> plan = rule.apply(pkg, dir);
            if (plan.isPresent()) {
                return plan;
            }
        }
        return Optional.empty();
    }

    private static Optional<FrameworkPlan> nuxt(PackageJson pkg, Path dir) {
        if (!pkg.dependsOn("nuxt") && !pkg.dependsOn("nuxt3") && !pkg.dependsOn("nuxt-edge")) {
            return Optional.empty();
        }
        boolean nuxt2 = pkg.dependsOn("nuxt") && pkg.majorVersion("nuxt").map(major -> major <= 2).orElse(false);
        // "nuxt build" makes a server; a static site needs "nuxt generate", which starters put in a "generate" script
        boolean buildGenerates = pkg.script("build").map(s -> s.contains("generate")).orElse(false);
        return plan("nuxt", nuxt2 ? "dist" : ".output/public",
                buildGenerates ? List.of("build") : List.of("generate"), "nuxt generate");
    }

    private static Optional<FrameworkPlan> next(PackageJson pkg, Path dir) {
        if (!pkg.dependsOn("next")) {
            return Optional.empty();
        }
        String output = "out";
        String config = readFirst(dir, "next.config.js", "next.config.mjs", "next.config.ts", "next.config.cjs");
        // with output: 'export', distDir moves the exported site (Next.js 13.3+)
        if (NEXT_EXPORT.matcher(config).find()) {
            output = configValue(config, "distDir").orElse(output);
        }
        return plan("next", output, BUILD, "next build");
    }

    private static Optional<FrameworkPlan> gatsby(PackageJson pkg, Path dir) {
        return pkg.dependsOn("gatsby") ? plan("gatsby", "public", BUILD, "gatsby build") : Optional.empty();
    }

    private static Optional<FrameworkPlan> docusaurus(PackageJson pkg, Path dir) {
        return pkg.dependsOn("@docusaurus/core")
                ? plan("docusaurus", "build", BUILD, "docusaurus build") : Optional.empty();
    }

    /** VuePress and VitePress build a docs folder, named in the build script, into {@code <folder>/.<tool>/dist}. */
    private static Optional<FrameworkPlan> docsSite(PackageJson pkg, Path dir, String tool, boolean present) {
        if (!present) {
            return Optional.empty();
        }
        Pattern buildDir = Pattern.compile("\\b" + tool + "\\s+build\\s+([^\\s&|;]+)");
        String docs = null;
        for (String script : DOCS_BUILD) {
            Optional<Matcher> match = pkg.script(script).map(buildDir::matcher).filter(Matcher::find);
            if (match.isPresent()) {
                docs = normalise(match.get().group(1));
                break;
            }
        }
        if (docs == null) {
            docs = !Files.isDirectory(dir.resolve("docs/." + tool)) && Files.isDirectory(dir.resolve("." + tool))
                    ? "." : "docs";
        }
        String output = (docs.equals(".") ? "" : docs + "/") + "." + tool + "/dist";
        return plan(tool, output, DOCS_BUILD, tool + " build " + docs);
    }

    private static Optional<FrameworkPlan> astro(PackageJson pkg, Path dir) {
        if (!pkg.dependsOn("astro")) {
            return Optional.empty();
        }
        String config = readFirst(dir, "astro.config.mjs", "astro.config.ts", "astro.config.js", "astro.config.mts",
                "astro.config.cjs");
        return plan("astro", configValue(config, "outDir").orElse("dist"), BUILD, "astro build");
    }

    private static Optional<FrameworkPlan> svelteKit(PackageJson pkg, Path dir) {
        if (!pkg.dependsOn("@sveltejs/kit")) {
            return Optional.empty();
        }
        // adapter-static writes to "build" unless its "pages" option says otherwise
        String config = readFirst(dir, "svelte.config.js", "svelte.config.mjs", "svelte.config.ts");
        return plan("sveltekit", configValue(config, "pages").orElse("build"), BUILD, "vite build");
    }

    private static Optional<FrameworkPlan> angular(PackageJson pkg, Path dir) {
        if (!pkg.dependsOn("@angular/core") || !pkg.dependsOn("@angular/cli")) {
            return Optional.empty();
        }
        return plan("angular", angularOutput(pkg, dir), BUILD, "ng build");
    }

    /**
     * Angular 17+ (the "application" builder) puts the browser files in {@code <outputPath>/browser}; older builders
     * use {@code outputPath} itself. Without angular.json the CLI's default is {@code dist/<project name>}.
     */
    static String angularOutput(PackageJson pkg, Path dir) {
        boolean modern = pkg.majorVersion("@angular/core").map(major -> major >= 17).orElse(true);
        Path angularJson = dir.resolve("angular.json");
        String fallbackName = pkg.unscopedName().isEmpty() ? "app" : pkg.unscopedName();
        if (!Files.isRegularFile(angularJson)) {
            return "dist/" + fallbackName + (modern ? "/browser" : "");
        }
        JsonNode root;
        try {
            root = PackageJson.JSON.readTree(angularJson.toFile());
        } catch (IOException e) {
            return "dist/" + fallbackName + (modern ? "/browser" : "");
        }
        JsonNode projects = root.path("projects");
        String name = pickAngularProject(root, projects).orElse(fallbackName);
        JsonNode project = projects.path(name);
        JsonNode build = project.path("architect").path("build");
        if (build.isMissingNode()) {
            build = project.path("targets").path("build");
        }
        String builder = build.path("builder").asText("");
        boolean application = builder.isEmpty() ? modern : builder.endsWith(":application");
        JsonNode outputPath = build.path("options").path("outputPath");
        if (outputPath.isObject()) {
            String base = normalise(outputPath.path("base").asText("dist/" + name));
            String browser = outputPath.has("browser") ? outputPath.path("browser").asText("") : "browser";
            return browser.isEmpty() ? base : base + "/" + normalise(browser);
        }
        String base = outputPath.isTextual() ? normalise(outputPath.asText()) : "dist/" + name;
        return application ? base + "/browser" : base;
    }

    private static Optional<String> pickAngularProject(JsonNode root, JsonNode projects) {
        String declared = root.path("defaultProject").asText("");
        if (!declared.isEmpty() && projects.has(declared)) {
            return Optional.of(declared);
        }
        String first = null;
        for (Iterator<Map.Entry<String, JsonNode>> it = projects.properties().iterator(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            if (first == null) {
                first = entry.getKey();
            }
            if ("application".equals(entry.getValue().path("projectType").asText())) {
                return Optional.of(entry.getKey());
            }
        }
        return Optional.ofNullable(first);
    }

    private static Optional<FrameworkPlan> createReactApp(PackageJson pkg, Path dir) {
        return pkg.dependsOn("react-scripts")
                ? plan("create-react-app", "build", BUILD, "react-scripts build") : Optional.empty();
    }

    private static Optional<FrameworkPlan> vueCli(PackageJson pkg, Path dir) {
        if (!pkg.dependsOn("@vue/cli-service")) {
            return Optional.empty();
        }
        String config = readFirst(dir, "vue.config.js", "vue.config.mjs", "vue.config.cjs", "vue.config.ts");
        return plan("vue-cli", configValue(config, "outputDir").orElse("dist"), BUILD, "vue-cli-service build");
    }

    private static Optional<FrameworkPlan> eleventy(PackageJson pkg, Path dir) {
        if (!pkg.dependsOn("@11ty/eleventy")) {
            return Optional.empty();
        }
        String config = readFirst(dir, "eleventy.config.js", "eleventy.config.mjs", "eleventy.config.cjs",
                ".eleventy.js");
        return plan("eleventy", configValue(config, "output").orElse("_site"), BUILD, "eleventy");
    }

    private static Optional<FrameworkPlan> svelte(PackageJson pkg, Path dir) {
        if (!pkg.dependsOn("svelte") || !pkg.dependsOn("vite")) {
            return Optional.empty();
        }
        return plan("svelte", viteOutDir(dir), BUILD, "vite build");
    }

    private static Optional<FrameworkPlan> vite(PackageJson pkg, Path dir) {
        return pkg.dependsOn("vite") ? plan("vite", viteOutDir(dir), BUILD, "vite build") : Optional.empty();
    }

    private static String viteOutDir(Path dir) {
        return configValue(readFirst(dir, VITE_CONFIGS.toArray(String[]::new)), "outDir").orElse("dist");
    }

    private static Optional<FrameworkPlan> plan(String id, String output, List<String> scripts, String cli) {
        return Optional.of(new FrameworkPlan(id, output, scripts, cli));
    }

    /** The first existing config file's text, or an empty string. Config files are code; this only reads literals. */
    private static String readFirst(Path dir, String... names) {
        for (String name : names) {
            Path file = dir.resolve(name);
            if (Files.isRegularFile(file)) {
                try {
                    return Files.readString(file);
                } catch (IOException e) {
                    return "";
                }
            }
        }
        return "";
    }

    /** A string literal assigned to {@code key} in a JavaScript config, like {@code outDir: 'build'}. */
    private static Optional<String> configValue(String config, String key) {
        Matcher matcher = Pattern.compile("\\b" + key + "\\s*:\\s*['\"`]([^'\"`]+)['\"`]").matcher(config);
        return matcher.find() ? Optional.of(normalise(matcher.group(1))) : Optional.empty();
    }

    private static String normalise(String path) {
        String p = path.strip();
        while (p.startsWith("./")) {
            p = p.substring(2);
        }
        while (p.endsWith("/") && p.length() > 1) {
            p = p.substring(0, p.length() - 1);
        }
        return p.isEmpty() ? "." : p;
    }
}
