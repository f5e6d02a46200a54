package dev.usher.core.attempt;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;

/**
 * The keyed fingerprint of the pass an attempt carried, stored with the attempt so that
 * {@code sevu.errorlog}'s {@code pass} can pick the attempts made with a given pass, without the
 * pass itself ever being stored or shown. It is {@code base64url(HMAC-SHA256(key = the ticket's own
 * pass, ticket key ‖ 0 ‖ carried pass))}, cut to 128 bits: keyed by a value the attempt log does not
 * hold, so the log alone (an export, a backup of that table) gives no way to test guesses of the
 * passes it records; bound to the ticket, so the same wrong pass on two tickets does not match.
 * Empty for an attempt that carried no pass.
 */
public final class PassFingerprint {

    private static final int BYTES = 16;

    /**
     * An uninitialised HMAC whose copy each fingerprint uses ({@link #mac}): a {@link Mac#getInstance}
     * per fingerprint looked the provider up again on every decision (a twentieth of a JDBC
     * decision's client time in a profile), and a clone costs what a Mac kept per thread costs
     * (some 0.5 µs against 1 µs, measured side by side) without a ticket's pass-derived key staying
     * behind in every worker thread after its call, or a ThreadLocal for a container to warn about.
     */
    private static final Mac PROTOTYPE = prototype();

    private static Mac prototype() {
        Mac mac = newMac();
        // Picks the provider now, in the class's initialisation, so the clones that run
        // concurrently later only read the prototype, never choose for it.
        mac.getProvider();
        return mac;
    }

    private static Mac newMac() {
        try {
            return Mac.getInstance("HmacSHA256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
    }

    /** @return a fresh Mac: a copy of {@link #PROTOTYPE}, or a new one from a provider whose Mac cannot be cloned */
    private static Mac mac() {
        try {
            return (Mac) PROTOTYPE.clone();
        } catch (CloneNotSupportedException e) {
            return newMac();
        }
    }

    private PassFingerprint() {
    }

    /**
     * @param ticketPass the ticket's own pass (the key)
     * @param ticketKey  the ticket's key
     * @param carried    the pass the attempt carried; null or empty for none
     * @return the fingerprint, or {@code ""} when no pass was carried
     */
    public static String of(String ticketPass, String ticketKey, String carried) {
        if (carried == null || carried.isEmpty()) {
            return "";
        }
        try {
            Mac mac = mac();
            byte[] key = ticketPass == null || ticketPass.isEmpty() ? new byte[1] : ticketPass.getBytes(StandardCharsets.UTF_8);
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update(ticketKey.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0);
            byte[] full = mac.doFinal(carried.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(full, BYTES));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
    }

    /** Compares in constant time. */
    public static boolean matches(String stored, String candidate) {
        return stored != null && candidate != null && !stored.isEmpty()
                && MessageDigest.isEqual(stored.getBytes(StandardCharsets.US_ASCII), candidate.getBytes(StandardCharsets.US_ASCII));
    }
}
