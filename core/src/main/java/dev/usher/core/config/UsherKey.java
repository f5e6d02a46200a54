package dev.usher.core.config;

import java.util.Objects;

/**
 * One configuration key as the README's configuration table documents it: its name (a pattern
 * such as {@code usher.account.<cdn>.secret} for keys per account), its default as the table
 * writes it, and what it does.
 */
public record UsherKey(String name, String defaultValue, String description) {

    public UsherKey {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(defaultValue, "defaultValue");
        Objects.requireNonNull(description, "description");
        if (!name.startsWith("usher.")) {
            throw new IllegalArgumentException(name + " is not an usher.* key");
        }
    }
}
