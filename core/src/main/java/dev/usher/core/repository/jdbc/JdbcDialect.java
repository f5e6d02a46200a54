package dev.usher.core.repository.jdbc;

import java.util.Locale;

/** The databases whose behaviour was checked; any other is used with standard SQL, and a warning. */
public enum JdbcDialect {
    POSTGRESQL, H2, OTHER;

    /** @param productName what {@link java.sql.DatabaseMetaData#getDatabaseProductName()} says */
    static JdbcDialect of(String productName) {
        String p = productName == null ? "" : productName.toLowerCase(Locale.ROOT);
        return p.contains("postgres") ? POSTGRESQL : p.equals("h2") ? H2 : OTHER;
    }
}
