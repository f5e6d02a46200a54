package dev.usher.core.viewer;

import java.time.Duration;

/** The viewer store contract on one node's memory (the JDBC store runs it in H2ViewerStoreTest and PostgresViewerStoreTest). */
class InMemoryViewerStoreContractTest extends ViewerStoreContract {

    @Override
    protected ViewerStore newStore(Duration window) {
        return new InMemoryViewerStore(window);
    }
}
