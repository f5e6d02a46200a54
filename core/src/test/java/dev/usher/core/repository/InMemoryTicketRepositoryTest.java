package dev.usher.core.repository;

import dev.usher.core.config.UsherSettings;

/** The repository contract on the in-memory repository (one node: both "nodes" are one instance). */
class InMemoryTicketRepositoryTest extends TicketRepositoryContract {

    @Override
    protected Store newStore() {
        return new Store() {
            private InMemoryTicketRepository repository;

            @Override
            public TicketRepository node(UsherSettings settings) {
                if (repository == null) {
                    repository = new InMemoryTicketRepository(settings);
                }
                return repository;
            }
        };
    }

    @Override
    protected boolean nodesAreDistinct() {
        return false;
    }

    @Override
    protected int raceRuns() {
        return 50;
    }
}
