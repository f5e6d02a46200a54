package dev.usher.core.viewer.jdbc;

import dev.usher.core.repository.jdbc.SchemaPart;

import javax.sql.DataSource;
import java.util.List;

/**
 * The viewers' part of the schema: {@code V8__viewers.sql} (table {@code usher_viewers}),
 * idempotent, recorded as version {@value #VERSION} in {@code usher_schema_version} like the
 * ticket repository's versions and the live store's (3, 6).
 */
final class ViewerSchema {

    static final int VERSION = 8;
    static final String RESOURCE = "/dev/usher/core/repository/jdbc/V8__viewers.sql";

    private ViewerSchema() {
    }

    /** @return connections of {@code dataSource}, the viewers' table created on the first when asked to */
    static SchemaPart connections(DataSource dataSource, boolean create, int timeoutSeconds) {
        return new SchemaPart(dataSource, List.of(VERSION), List.of(RESOURCE), create, timeoutSeconds);
    }
}
