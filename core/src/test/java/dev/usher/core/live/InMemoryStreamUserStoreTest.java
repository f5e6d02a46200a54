package dev.usher.core.live;

class InMemoryStreamUserStoreTest extends StreamUserStoreContract {
    @Override
    protected StreamUserStore newStore() {
        return new InMemoryStreamUserStore();
    }
}
