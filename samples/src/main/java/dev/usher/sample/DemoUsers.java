package dev.usher.sample;

import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The sample's demo viewers: {@code alice}/{@code alice} and {@code bob}/{@code bob}. Used by the
 * Jakarta Security identity store in the WAR and by the runner's Jetty login service.
 */
public final class DemoUsers {

    /** The role every demo user has. */
    public static final String ROLE = "viewer";

    /** The role that sees every viewer's address on the statistics; no demo user has it. */
    public static final String OPERATOR_ROLE = "operator";

    public static final Map<String, String> USERS = Map.of("alice", "alice", "bob", "bob");

    private DemoUsers() {
    }

    /** @return true when {@code password} is {@code user}'s (compared in constant time) */
    public static boolean check(String user, String password) {
        String expected = user == null ? null : USERS.get(user);
        if (expected == null || password == null) {
            return false;
        }
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), password.getBytes(StandardCharsets.UTF_8));
    }
}
