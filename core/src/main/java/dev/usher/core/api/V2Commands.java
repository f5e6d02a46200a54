package dev.usher.core.api;

/**
 * The JSON API command each request of the v2 resource stands for, so that an account allowed only
 * some commands ({@code usher.account.<cdn>.commands}) is held to them on both interfaces: create
 * ({@code PUT}) is {@code sevu.request}; reading a ticket {@code sevu.status}, listing
 * {@code sevu.search}, its attempts {@code sevu.errorlog}; changing ({@code POST}) or deleting a
 * ticket {@code sevu.revoke}.
 */
public final class V2Commands {

    private V2Commands() {
    }

    /**
     * @param method   the HTTP method
     * @param key      the ticket key of the path, empty for the collection
     * @param attempts whether the path ends with {@code /sevu_attempt}
     * @return the command, or null for a request the resource does not serve (answered 405 anyway)
     */
    public static String of(String method, String key, boolean attempts) {
        boolean one = key != null && !key.isEmpty();
        if (attempts) {
            return method.equals("GET") && one ? "sevu.errorlog" : null;
        }
        return switch (method) {
            case "PUT" -> one ? null : "sevu.request";
            case "GET" -> one ? "sevu.status" : "sevu.search";
            case "POST", "DELETE" -> one ? "sevu.revoke" : null;
            default -> null;
        };
    }
}
