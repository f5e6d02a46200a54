package dev.usher.core.repository.jdbc;

import dev.usher.core.config.ConfigReader;
import dev.usher.core.config.UsherConfigurationException;
import dev.usher.core.config.UsherSettings;
import dev.usher.core.decision.PlaybackRequest;
import dev.usher.core.net.IpAddress;
import dev.usher.core.service.IssueRequest;
import dev.usher.core.service.UsherService;
import dev.usher.core.testing.Fixture;
import dev.usher.core.ticket.Ticket;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import javax.sql.DataSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link JdbcTicketRepository#fromConfig}: the {@code usher.jdbc.*} keys. */
class JdbcConfigTest {

    private static ConfigReader config(Map<String, String> values) {
        return new ConfigReader(k -> Optional.ofNullable(values.get(k)));
    }

    @Test
    void aJdbcUrlGetsASimpleConnectionPool() {
        ConfigReader config = config(Map.of("usher.jdbc.url", "jdbc:h2:mem:cfg1;DB_CLOSE_DELAY=-1",
                "usher.jdbc.create-schema", "true", "usher.jdbc.query-timeout", "2s", "usher.jdbc.pool-size", "4"));
        try (JdbcTicketRepository repo = JdbcTicketRepository.fromConfig(config, UsherSettings.defaults(), null)) {
            config.failOnProblems();
            assertEquals(JdbcDialect.H2, repo.dialect());
            UsherService service = new UsherService(repo, UsherSettings.defaults());
            Ticket t = service.issue(Fixture.STEF, IssueRequest.of("a", "v", "passpasspass", "auto", 1, "+1 hour"));
            assertTrue(service.authorize(PlaybackRequest.of(t.key(), t.pass(), IpAddress.parse("1.2.3.4"), "a", "v")).granted());
        }
    }

    @Test
    void aJndiNameIsLookedUp() {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:cfg2;DB_CLOSE_DELAY=-1");
        ConfigReader config = config(Map.of("usher.jdbc.datasource", "java:comp/env/jdbc/usher", "usher.jdbc.create-schema", "yes"));
        JdbcTicketRepository repo = JdbcTicketRepository.fromConfig(config, UsherSettings.defaults(),
                name -> name.equals("java:comp/env/jdbc/usher") ? h2 : null);
        assertEquals(JdbcDialect.H2, repo.dialect());
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        ConfigReader missing = config(Map.of("usher.jdbc.query-timeout", "soon"));
        UsherConfigurationException e = assertThrows(UsherConfigurationException.class,
                () -> JdbcTicketRepository.fromConfig(missing, UsherSettings.defaults(), null));
        assertTrue(e.getMessage().contains("usher.jdbc.query-timeout") && e.getMessage().contains("usher.jdbc.url"), e.getMessage());
        ConfigReader unknown = config(Map.of("usher.jdbc.datasource", "jdbc/none"));
        Function<String, DataSource> none = name -> {
            throw new IllegalStateException("Name jdbc/none is not bound");
        };
        e = assertThrows(UsherConfigurationException.class,
                () -> JdbcTicketRepository.fromConfig(unknown, UsherSettings.defaults(), none));
        assertTrue(e.getMessage().contains("jdbc/none"), e.getMessage());
    }
}
