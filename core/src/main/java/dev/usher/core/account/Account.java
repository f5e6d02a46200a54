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
 * @param username the account's name; v2 requires each of a ticket's apps to begin with {@code username-}
 */
public record Account(long cdnId, String apiKey, String secret, String username) {

    public Account {
        Objects.requireNonNull(apiKey, "apiKey");
        Objects.requireNonNull(secret, "secret");
        Objects.requireNonNull(username, "username");
        if (cdnId < 0) {
            throw new IllegalArgumentException("cdn id must not be negative");
        }
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

    /**
     * The v2 rule "the application name must begin with {@code username-}".
     *
     * @return the entries of {@code app} that do not begin with {@code username-} (empty when all do)
     */
    public List<String> appsOutsideNamespace(PatternList app) {
        String prefix = username + "-";
        return app.patterns().stream().map(WildcardPattern::text).filter(p -> !p.startsWith(prefix)).toList();
    }

    /** Never prints the secret. */
    @Override
    public String toString() {
        return "Account[cdnId=" + cdnId + ", username=" + username + "]";
    }
}
