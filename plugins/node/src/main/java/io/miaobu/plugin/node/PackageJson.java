package io.miaobu.plugin.node;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.miaobu.api.ExtensionException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** The parts of a {@code package.json} that decide how to build it. */
record PackageJson(String name, Map<String, String> scripts, Map<String, String> dependencies,
                   String enginesNode, String packageManager) {

    /** Configured once and never changed, which makes it safe to share between threads. */
    static final ObjectMapper JSON = new ObjectMapper();

    private static final Pattern DIGITS = Pattern.compile("(\\d+)");

    static PackageJson read(Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (JacksonException e) {
            String line = e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")";
            throw new ExtensionException("package.json is not valid JSON" + line + ": " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new ExtensionException("package.json could not be read.", e);
        }
        if (root == null || !root.isObject()) {
            throw new ExtensionException("package.json does not contain a JSON object.");
        }
        Map<String, String> dependencies = new LinkedHashMap<>(strings(root.path("devDependencies")));
        dependencies.putAll(strings(root.path("dependencies")));
        return new PackageJson(root.path("name").asText(""), strings(root.path("scripts")), dependencies,
                root.path("engines").path("node").asText("").strip(), root.path("packageManager").asText("").strip());
    }

    boolean hasDependencies() {
        return !dependencies.isEmpty();
    }

    boolean dependsOn(String name) {
        return dependencies.containsKey(name);
    }

    boolean dependsOnAnyStartingWith(String prefix) {
        return dependencies.keySet().stream().anyMatch(d -> d.startsWith(prefix));
    }

    Optional<String> script(String name) {
        return Optional.ofNullable(scripts.get(name)).filter(s -> !s.isBlank());
    }

    /** The major version a dependency's range starts at ({@code ^2.15.8} is 2); empty for tags like {@code latest}. */
    Optional<Integer> majorVersion(String dependency) {
        String range = dependencies.getOrDefault(dependency, "");
        var matcher = DIGITS.matcher(range);
        return matcher.find() ? Optional.of(Integer.parseInt(matcher.group(1))) : Optional.empty();
    }

    /** The package name without its scope: what Angular and others name the output folder after. */
    String unscopedName() {
        return name.contains("/") ? name.substring(name.indexOf('/') + 1) : name;
    }

    private static Map<String, String> strings(JsonNode object) {
        Map<String, String> values = new LinkedHashMap<>();
        if (object.isObject()) {
            object.properties().forEach(e -> values.put(e.getKey(), e.getValue().asText("")));
        }
        return values;
    }
}
