package dev.usher.sample;

import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;

/**
 * The sample's demo users: the viewers {@code alice}/{@code alice} and {@code bob}/{@code bob}, and
 * the operator {@code admin}/{@code admin}, who may also watch. Public demo values, shown on the login
 * page. Used by the Jakarta Security identity store in the WAR and by the runner's Jetty login service.
 */
public final class DemoUsers {

    /** The role every demo user has: signed in, one may watch. */
    public static final String ROLE = "viewer";

    /** The role of the operator console ({@code operator.html}, {@code /api/operator/}): the demo user {@code admin}. */
    public static final String OPERATOR_ROLE = "operator";

    /** The operator console's demo user. */
    public static final String OPERATOR = "admin";

    public static final Map<String, String> USERS = Map.of("alice", "alice", "bob", "bob", OPERATOR, "admin");

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

    /** @return the roles of a demo user: every one is a viewer, {@value #OPERATOR} an operator as well */
    public static Set<String> rolesOf(String user) {
        return OPERATOR.equals(user) ? Set.of(ROLE, OPERATOR_ROLE) : Set.of(ROLE);
    }
}
