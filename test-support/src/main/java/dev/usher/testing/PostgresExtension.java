package dev.usher.testing;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts one throw-away {@link PostgresServer} for the whole test run (on first use, with
 * {@code fsync=off}: tests need no durability) and stops it when the run ends. Tests get it with
 * {@link #server()}.
 */
public final class PostgresExtension implements BeforeAllCallback {

    private static volatile PostgresServer server;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        ExtensionContext.Store store = context.getRoot().getStore(ExtensionContext.Namespace.create(PostgresExtension.class));
        store.getOrComputeIfAbsent("server", k -> {
            try {
                PostgresServer s = PostgresServer.start("fsync=off", "synchronous_commit=off", "full_page_writes=off");
                s.createDatabase("usher_test");
                server = s;
                return s; // AutoCloseable: closed when the run's root context closes
            } catch (Exception e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        }, PostgresServer.class);
    }

    public static PostgresServer server() {
        if (server == null) {
            throw new IllegalStateException("PostgresExtension has not started the server");
        }
        return server;
    }
}
