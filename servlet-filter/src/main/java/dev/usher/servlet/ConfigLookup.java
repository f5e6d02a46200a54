package dev.usher.servlet;

import jakarta.servlet.ServletContext;

import java.util.Optional;
import java.util.function.Function;

/**
 * Where the filter reads {@code usher.*} keys: MicroProfile Config when the container has it (its
 * own ordering of system properties, environment variables and
 * {@code META-INF/microprofile-config.properties} applies), then the filter's init parameters, then
 * the context's. Without MicroProfile Config, system properties and environment variables named as
 * MicroProfile Config names them ({@code usher.filter.paths} → {@code USHER_FILTER_PATHS}) come
 * first, so a deployment behaves alike on either kind of server.
 */
final class ConfigLookup {

    private ConfigLookup() {
    }

    /**
     * @param filterParameters the filter's init parameters (a function returning null when absent)
     */
    static Function<String, Optional<String>> forContext(ServletContext context, Function<String, String> filterParameters) {
        Function<String, Optional<String>> mp = microProfile(context.getClassLoader());
        Function<String, Optional<String>> first = mp != null ? mp : key -> {
            String v = System.getProperty(key);
            if (v == null) {
                v = System.getenv(environmentName(key));
            }
            return Optional.ofNullable(v);
        };
        return key -> {
            Optional<String> v = first.apply(key);
            if (v.isPresent()) {
                return v;
            }
            String p = filterParameters.apply(key);
            return Optional.ofNullable(p != null ? p : context.getInitParameter(key));
        };
    }

    /** @return the environment variable MicroProfile Config reads for {@code key}: {@code usher.filter.paths} → {@code USHER_FILTER_PATHS} */
    static String environmentName(String key) {
        return dev.usher.core.config.ConfigReader.environmentName(key);
    }

    /**
     * @return every configured property name: MicroProfile Config's when present, else the system
     *         properties', the environment variables' (as they are named, e.g.
     *         {@code USHER_ACCOUNT_158_API_KEY}) and the init parameters'
     */
    static java.util.Set<String> names(ServletContext context, Iterable<String> filterParameterNames) {
        java.util.Set<String> names = new java.util.TreeSet<>();
        try {
            Class.forName("org.eclipse.microprofile.config.ConfigProvider", false, context.getClassLoader());
            MicroProfileLookup.names(context.getClassLoader()).forEach(names::add);
        } catch (ClassNotFoundException | LinkageError | IllegalStateException e) {
            names.addAll(System.getProperties().stringPropertyNames());
        }
        // Environment variables as they are named (USHER_ACCOUNT_158_API_KEY): the account reader
        // knows that form, and MicroProfile Config lists them so too.
        names.addAll(System.getenv().keySet());
        names.addAll(java.util.Collections.list(context.getInitParameterNames()));
        filterParameterNames.forEach(names::add);
        return names;
    }

    private static Function<String, Optional<String>> microProfile(ClassLoader loader) {
        try {
            Class.forName("org.eclipse.microprofile.config.ConfigProvider", false, loader);
            return MicroProfileLookup.create(loader);
        } catch (ClassNotFoundException | LinkageError | IllegalStateException e) {
            return null;
        }
    }

    /** Touches MicroProfile Config classes only when they are present. */
    private static final class MicroProfileLookup {
        static Function<String, Optional<String>> create(ClassLoader loader) {
            org.eclipse.microprofile.config.Config config = org.eclipse.microprofile.config.ConfigProvider.getConfig(loader);
            return key -> config.getOptionalValue(key, String.class);
        }

        static Iterable<String> names(ClassLoader loader) {
            return org.eclipse.microprofile.config.ConfigProvider.getConfig(loader).getPropertyNames();
        }
    }
}
