package dev.usher.core.repository.jdbc;

import dev.usher.core.config.ConfigReader;
import dev.usher.core.config.UsherSettings;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;
import javax.sql.DataSource;

/**
 * Builds the JDBC repository that the {@code usher.jdbc.*} keys describe:
 * <ul>
 * <li>{@code usher.jdbc.datasource}: the JNDI name of a container-managed data source
 *     (looked up with {@code jndiLookup}), or else</li>
 * <li>{@code usher.jdbc.url}, {@code usher.jdbc.user}, {@code usher.jdbc.password}: a JDBC URL
 *     reached through {@link java.sql.DriverManager} with a {@link SimpleConnectionPool} of
 *     {@code usher.jdbc.pool-size} (default 16) connections; the driver must be on the class path;</li>
 * <li>{@code usher.jdbc.create-schema} (default false), {@code usher.jdbc.query-timeout}
 *     (default 5s); {@code usher.jdbc.purge-interval} is the older name of {@code usher.purge-interval},
 *     read by {@link dev.usher.core.repository.ScheduledPurge#interval}.</li>
 * </ul>
 */
public final class JdbcStoreConfig {

    private JdbcStoreConfig() {
    }

    /**
     * Problems are added to {@code config}; when no data source can be had, every problem found so
     * far is thrown at once as an {@link dev.usher.core.config.UsherConfigurationException}.
     *
     * @param jndiLookup finds a data source by JNDI name (e.g. {@code new InitialContext()::lookup}),
     *                   returning null or throwing when there is none
     */
    public static JdbcTicketRepository repository(ConfigReader config, UsherSettings settings,
                                                  Function<String, DataSource> jndiLookup) {
        JdbcOptions d = JdbcOptions.defaults();
        boolean create = config.bool("usher.jdbc.create-schema", d.createSchema());
        Duration timeout = config.duration("usher.jdbc.query-timeout", d.queryTimeout());
        if (timeout.isZero()) {
            config.problem("usher.jdbc.query-timeout must be positive");
            timeout = d.queryTimeout();
        }
        Duration purge = config.duration("usher.jdbc.purge-interval", d.purgeInterval());
        int poolSize = config.integer("usher.jdbc.pool-size", 16, 1, 1000);
        JdbcOptions options = new JdbcOptions(create, timeout, d.maxAttempts(), purge);
        Optional<String> jndi = config.raw("usher.jdbc.datasource");
        Optional<String> url = config.raw("usher.jdbc.url");
        if (jndi.isPresent()) {
            if (url.isPresent()) {
                config.problem("usher.jdbc.datasource and usher.jdbc.url are both set; set one of them");
            }
            DataSource found = null;
            try {
                found = jndiLookup == null ? null : jndiLookup.apply(jndi.get());
            } catch (RuntimeException e) {
                config.problem("usher.jdbc.datasource: no data source named '" + jndi.get() + "' (" + e.getMessage() + ")");
            }
            if (found == null) {
                config.problem("usher.jdbc.datasource: no data source named '" + jndi.get() + "'");
                config.failOnProblems();
            }
            return new JdbcTicketRepository(found, null, settings, options);
        }
        if (url.isEmpty()) {
            config.problem("usher.repository=jdbc needs usher.jdbc.datasource (a JNDI name) or usher.jdbc.url");
            config.failOnProblems();
        }
        if (!url.get().startsWith("jdbc:")) {
            config.problem("usher.jdbc.url: '" + url.get() + "' is not a JDBC URL (jdbc:postgresql://host/db, jdbc:h2:...)");
            config.failOnProblems();
        }
        SimpleConnectionPool pool = new SimpleConnectionPool(url.get(), config.raw("usher.jdbc.user").orElse(null),
                config.raw("usher.jdbc.password").orElse(null), poolSize, timeout);
        return new JdbcTicketRepository(pool, pool, settings, options);
    }
}
