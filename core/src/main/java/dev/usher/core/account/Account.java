package dev.usher.core.account;

import dev.usher.core.rule.PatternList;
import dev.usher.core.rule.WildcardPattern;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Objects;

/**
 * An API account: the owner of tickets. Every ticket belongs to exactly one account, and an
 * account can read, change or revoke only its own.
 *
 * @param cdnId    the account's number ({@code cdn} / {@code cdn_id} in requests)
 * @param apiKey   the public API key sent with every JSON command
 * @param secret   the shared secret that signs JSON commands and authenticates the v2 resource
 * @param username the account's name
 * @param apps     the account's application namespace: the apps its tickets may name and open.
 *                 By default {@code username-*} (v2's rule "the application name must begin with
 *                 {@code username-}", applied to every way of issuing); {@code usher.account.<cdn>.apps}
 *                 may widen it.
 * @param commands the JSON API commands the account may run ({@code usher.account.<cdn>.commands});
 *                 null for all of them. A signed, valid command outside it is answered 0005
 *                 (Unauthorized Access to API) and changes nothing.
 */
public record Account(long cdnId, String apiKey, String secret, String username, PatternList apps,
                      java.util.Set<String> commands) {

    public Account {
        Objects.requireNonNull(apiKey, "apiKey");
        Objects.requireNonNull(secret, "secret");
        Objects.requireNonNull(username, "username");
        if (cdnId < 0) {
            throw new IllegalArgumentException("cdn id must not be negative");
        }
        if (apps == null) {
            apps = defaultApps(username);
        }
        if (commands != null) {
            commands = java.util.Set.copyOf(commands);
        }
    }

    /** An account allowed every command. */
    public Account(long cdnId, String apiKey, String secret, String username, PatternList apps) {
        this(cdnId, apiKey, secret, username, apps, null);
    }

    /** @return true when this account may run the JSON API command {@code command} */
    public boolean mayRun(String command) {
        return commands == null || commands.contains(command);
    }

    /** An account with the default namespace, {@code username-*}. */
    public Account(long cdnId, String apiKey, String secret, String username) {
        this(cdnId, apiKey, secret, username, null, null);
    }

    /** @return {@code username-*}; the username is literal text (a {@code *} in it would be a wildcard, so none is allowed) */
    public static PatternList defaultApps(String username) {
        return PatternList.parse("apps", username.replace("*", "").replace("|", "") + "-*");
    }

    /** Compares in constant time. */
    public boolean apiKeyMatches(String candidate) {
        return candidate != null && MessageDigest.isEqual(apiKey.getBytes(StandardCharsets.UTF_8),
                candidate.getBytes(StandardCharsets.UTF_8));
    }

    /** Compares in constant time. */
    public boolean secretMatches(String candidate) {
        return candidate != null && MessageDigest.isEqual(secret.getBytes(StandardCharsets.UTF_8),
                candidate.getBytes(StandardCharsets.UTF_8));
    }

    /** @return true when the application {@code app} (a name, not a pattern) lies in this account's namespace */
    public boolean ownsApp(String app) {
        return app != null && apps.matches(app);
    }

    /**
     * The namespace rule for a ticket's {@code app} patterns: an entry is inside when every name it can
     * match lies in the namespace. That holds when a namespace pattern matches the entry's own text with
     * the entry's {@code *} taken as a character only a namespace {@code *} can stand for — which is
     * exactly what matching the text does, as a literal piece of a pattern never contains {@code *}.
     * So {@code demo-*} and {@code demo-vod} are inside {@code demo-*}; {@code demo*} and {@code *} are not.
     *
     * @return the entries of {@code app} outside the namespace (empty when all are inside)
     */
    public List<String> appsOutsideNamespace(PatternList app) {
        return app.patterns().stream().map(WildcardPattern::text).filter(p -> !apps.matches(p)).toList();
    }

    /** Never prints the secret. */
    @Override
    public String toString() {
        return "Account[cdnId=" + cdnId + ", username=" + username + ", apps=" + apps.text()
                + (commands == null ? "" : ", commands=" + String.join("|", new java.util.TreeSet<>(commands))) + "]";
    }
}
