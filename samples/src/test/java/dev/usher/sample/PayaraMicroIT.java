package dev.usher.sample;

/**
 * The matrix on Payara Micro 6 (from Maven Central, copied to {@code target/payara/} by the pom).
 * {@code -DskipPayara} leaves it out; by default it runs.
 */
class PayaraMicroIT extends ServerMatrix {
    PayaraMicroIT() {
        super(new PayaraMicroServer());
    }
}
