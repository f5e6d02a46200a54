package dev.usher.core.repository.jdbc;

import dev.usher.testing.PostgresExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * {@link JdbcRows#instant} reads PostgreSQL's timestamps itself when the driver received them in
 * binary: every value must read as the driver's own {@code OffsetDateTime} would, in both
 * transfer formats, before and after 2000 (PostgreSQL's origin), at microsecond precision, NULL
 * and the infinities included.
 */
@ExtendWith(PostgresExtension.class)
class PostgresInstantTest {

    private static final List<String> VALUES = List.of("2026-12-01 15:03:22.123456+00", "2000-01-01 00:00:00+00",
            "1999-12-31 23:59:59.999999+00", "1970-01-01 00:00:00.000001+00", "1901-06-30 12:00:00.5+00",
            "2262-04-11 23:47:16.854775+00", "2026-03-29 02:30:00+05:30", "infinity", "-infinity");

    @Test
    void readsWhatTheDriverReadsInTextAndInBinary() throws Exception {
        // prepareThreshold=1: from its first run the statement is prepared and its rows come in binary;
        // 0: never prepared, rows in text.
        for (String threshold : List.of("0", "1")) {
            String url = PostgresExtension.server().url("usher_test") + "?prepareThreshold=" + threshold;
            try (Connection c = DriverManager.getConnection(url, "postgres", null)) {
                for (int run = 0; run < 3; run++) {
                    for (String value : VALUES) {
                        try (PreparedStatement ps = c.prepareStatement("SELECT CAST(? AS TIMESTAMP WITH TIME ZONE)")) {
                            ps.setString(1, value);
                            try (ResultSet rs = ps.executeQuery()) {
                                rs.next();
                                OffsetDateTime driver = rs.getObject(1, OffsetDateTime.class);
                                Instant expected = driver.equals(OffsetDateTime.MAX) ? OffsetDateTime.MAX.toInstant()
                                        : driver.equals(OffsetDateTime.MIN) ? OffsetDateTime.MIN.toInstant() : driver.toInstant();
                                assertEquals(expected, JdbcRows.instant(rs, 1), value + ", prepareThreshold=" + threshold);
                            }
                        }
                    }
                    try (PreparedStatement ps = c.prepareStatement("SELECT CAST(NULL AS TIMESTAMP WITH TIME ZONE)");
                         ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        assertNull(JdbcRows.instant(rs, 1));
                    }
                }
            }
        }
    }
}
