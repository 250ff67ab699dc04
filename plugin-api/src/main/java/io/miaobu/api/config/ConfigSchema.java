package io.miaobu.api.config;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;

/**
 * The settings an extension takes, in the order a form shows them.
 *
 * @param fields the fields; names are unique
 */
public record ConfigSchema(List<ConfigField> fields) {

    /** No settings. */
    public static final ConfigSchema EMPTY = new ConfigSchema(List.of());

    public ConfigSchema {
        fields = List.copyOf(fields);
        var names = new HashSet<String>();
        for (ConfigField field : fields) {
            if (!names.add(field.name())) {
                throw new IllegalArgumentException("duplicate config field " + field.name());
            }
        }
    }

    /** A schema of these fields. */
    public static ConfigSchema of(ConfigField... fields) {
        return new ConfigSchema(List.of(fields));
    }

    /** The field with this name. */
    public Optional<ConfigField> field(String name) {
        return fields.stream().filter(f -> f.name().equals(name)).findFirst();
    }

    /** Whether there is nothing to configure. */
    public boolean isEmpty() {
        return fields.isEmpty();
    }
}
