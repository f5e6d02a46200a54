package dev.usher.sample;

/** The matrix on Open Liberty (profile {@code -Pservers}) with {@code webProfile-10.0} and {@code mpConfig-3.1}. */
class OpenLibertyIT extends ServerMatrix {
    OpenLibertyIT() {
        super(new OpenLibertyServer(OpenLibertyServer.FEATURES));
    }
}
