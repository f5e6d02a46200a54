package dev.usher.sample;

/**
 * The matrix on GlassFish 7 (the second server of the default build: the smallest download, and
 * nothing to configure). {@code -DskipGlassFish} leaves it out.
 */
class GlassFishIT extends ServerMatrix {
    GlassFishIT() {
        super(new GlassFishServer());
    }
}
