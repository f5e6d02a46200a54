package dev.usher.core.live.stream;

class InMemoryIngestLeasesTest extends IngestLeasesContract {
    @Override
    protected IngestLeases newStore() {
        return new InMemoryIngestLeases();
    }
}
