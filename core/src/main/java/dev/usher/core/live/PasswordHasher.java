package dev.usher.core.live;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Stream passwords kept as {@code v1$salt$HMAC-SHA256(key, salt ‖ password)}: a stolen table is
 * useless without the key (kept in configuration, not beside the table), the salt makes equal
 * passwords look different, and verification compares in constant time. Passwords are random
 * strings chosen by the API caller, so a keyed hash needs no slow work factor; it also keeps the
 * ingest path cheap enough to check every segment upload.
 */
public final class PasswordHasher {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String VERSION = "v1";

    private final byte[] key;

    /** @param key at least 32 bytes */
    public PasswordHasher(byte[] key) {
        if (key == null || key.length < 32) {
            throw new IllegalArgumentException("the password key needs at least 32 bytes");
        }
        this.key = key.clone();
    }

    /** @return a new random key of 32 bytes */
    public static byte[] newKey() {
        byte[] k = new byte[32];
        RANDOM.nextBytes(k);
        return k;
    }

    public String hash(String password) {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
        return VERSION + "$" + b64.encodeToString(salt) + "$" + b64.encodeToString(mac(salt, password));
    }

    /** @return whether {@code password} is the one {@code stored} was made from; constant time in the password */
    public boolean verify(String password, String stored) {
        if (password == null || stored == null) {
            return false;
        }
        String[] parts = stored.split("\\$", -1);
        if (parts.length != 3 || !parts[0].equals(VERSION)) {
            return false;
        }
        try {
            byte[] salt = Base64.getDecoder().decode(parts[1]);
            byte[] expected = Base64.getDecoder().decode(parts[2]);
            return MessageDigest.isEqual(mac(salt, password), expected);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private byte[] mac(byte[] salt, String password) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update(salt);
            return mac.doFinal(password.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
    }
}
