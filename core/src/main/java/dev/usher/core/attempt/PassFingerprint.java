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
     * One Mac per thread, initialised anew with each ticket's key ({@link Mac#init} resets it): a
     * {@link Mac#getInstance} per fingerprint looked the provider up again on every decision (a
     * twentieth of a JDBC decision's client time in a profile); a Mac is not thread-safe, hence one each.
     */
    private static final ThreadLocal<Mac> MAC = ThreadLocal.withInitial(() -> {
        try {
            return Mac.getInstance("HmacSHA256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
    });

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
            Mac mac = MAC.get();
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
