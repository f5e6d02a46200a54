package dev.usher.core.config;

import java.time.Duration;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * Reads typed settings from a key lookup (MicroProfile Config, init parameters, system
 * properties...), collecting every problem instead of stopping at the first, so that a bad
 * configuration is reported whole, as Tomcat does for its security settings.
 */
public final class ConfigReader {

    private final Function<String, Optional<String>> lookup;
    // A set: two readers of one key (the root and a store's own factory) report its problem once.
    private final LinkedHashSet<String> problems = new LinkedHashSet<>();

    public ConfigReader(Function<String, Optional<String>> lookup) {
        this.lookup = lookup;
    }

    /** @return the trimmed value of {@code key}, empty when absent or blank */
    public Optional<String> raw(String key) {
        return lookup.apply(key).map(String::trim).filter(s -> !s.isEmpty());
    }

    public String string(String key, String defaultValue) {
        return raw(key).orElse(defaultValue);
    }

    /**
     * Reads a duration: ISO-8601 ({@code PT30S}, {@code P7D}) or a number with a unit
     * ({@code 500ms}, {@code 30s}, {@code 10m}, {@code 2h}, {@code 7d}).
     */
    public Duration duration(String key, Duration defaultValue) {
        Optional<String> value = raw(key);
        if (value.isEmpty()) {
            return defaultValue;
        }
        Duration d = parseDuration(value.get());
        if (d == null || d.isNegative()) {
            problems.add(key + ": '" + value.get() + "' is not a duration (use e.g. 30s, 10m, 7d or PT30S)");
            return defaultValue;
        }
        return d;
    }

    static Duration parseDuration(String s) {
        String v = s.trim().toLowerCase(Locale.ROOT);
        try {
            if (v.startsWith("p")) {
                return Duration.parse(v.toUpperCase(Locale.ROOT));
            }
            int i = 0;
            while (i < v.length() && Character.isDigit(v.charAt(i))) {
                i++;
            }
            if (i == 0 || i > 12) {
                return null;
            }
            long n = Long.parseLong(v.substring(0, i));
            return switch (v.substring(i).trim()) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                case "d" -> Duration.ofDays(n);
                default -> null;
            };
        } catch (RuntimeException e) {
            return null;
        }
    }

    public int integer(String key, int defaultValue, int min, int max) {
        Optional<String> value = raw(key);
        if (value.isEmpty()) {
            return defaultValue;
        }
        try {
            int n = Integer.parseInt(value.get());
            if (n < min || n > max) {
                problems.add(key + ": " + n + " is outside " + min + ".." + max);
                return defaultValue;
            }
            return n;
        } catch (NumberFormatException e) {
            problems.add(key + ": '" + value.get() + "' is not a whole number");
            return defaultValue;
        }
    }

    public boolean bool(String key, boolean defaultValue) {
        Optional<String> value = raw(key);
        if (value.isEmpty()) {
            return defaultValue;
        }
        return switch (value.get().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> {
                problems.add(key + ": '" + value.get() + "' is not true or false");
                yield defaultValue;
            }
        };
    }

    public ZoneId zone(String key, ZoneId defaultValue) {
        Optional<String> value = raw(key);
        if (value.isEmpty()) {
            return defaultValue;
        }
        try {
            return ZoneId.of(value.get());
        } catch (RuntimeException e) {
            problems.add(key + ": '" + value.get() + "' is not a time zone");
            return defaultValue;
        }
    }

    /** @return the comma-separated values of {@code key}, trimmed, blanks dropped */
    public List<String> list(String key, List<String> defaultValue) {
        Optional<String> value = raw(key);
        if (value.isEmpty()) {
            return defaultValue;
        }
        return Arrays.stream(value.get().split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    /**
     * @return the environment variable MicroProfile Config reads for {@code key}
     *         ({@code usher.filter.paths} → {@code USHER_FILTER_PATHS}), for messages that say where
     *         to set a key
     */
    public static String environmentName(String key) {
        return key.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }

    /** Records a problem found by the caller while interpreting values. */
    public void problem(String message) {
        problems.add(message);
    }

    public List<String> problems() {
        return List.copyOf(problems);
    }

    /** @throws UsherConfigurationException listing every problem found so far */
    public void failOnProblems() {
        if (!problems.isEmpty()) {
            throw new UsherConfigurationException(List.copyOf(problems));
        }
    }
}
