package dev.usher.sample;

/** The matrix on WildFly (profile {@code -Pservers}), with the README's one CLI command applied. */
class WildFlyIT extends ServerMatrix {
    WildFlyIT() {
        super(new WildFlyServer());
    }
}
