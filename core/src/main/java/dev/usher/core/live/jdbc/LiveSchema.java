package dev.usher.core.live.jdbc;

import dev.usher.core.repository.jdbc.SchemaPart;

import javax.sql.DataSource;
import java.util.List;

/**
 * The live publishing part of the schema: {@code V3__live.sql} (stream users) and
 * {@code V6__live_leases.sql} (ingest leases), each idempotent, each recorded in
 * {@code usher_schema_version} like the ticket repository's own versions (1, 2, 4, 5, 7, 9).
 */
final class LiveSchema {

    static final List<Integer> VERSIONS = List.of(3, 6);
    static final List<String> RESOURCES = List.of("/dev/usher/core/repository/jdbc/V3__live.sql",
            "/dev/usher/core/repository/jdbc/V6__live_leases.sql");

    private LiveSchema() {
    }

    /** @return connections of {@code dataSource}, the live schema created on the first when asked to */
    static SchemaPart connections(DataSource dataSource, boolean createSchema) {
        return new SchemaPart(dataSource, VERSIONS, RESOURCES, createSchema, 0);
    }
}
