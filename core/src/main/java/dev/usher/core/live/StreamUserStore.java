package dev.usher.core.live;

import java.util.List;
import java.util.Optional;

/**
 * Where stream users live. One per (app, stream): {@link #put} replaces. Implementations are safe
 * for concurrent use; a shared one (JDBC) lets several nodes agree on who may publish.
 */
public interface StreamUserStore {

    /** @return the user of exactly this app and stream ({@code *} included as a name) */
    Optional<StreamUser> get(String app, String stream);

    /**
     * Stores {@code user}, replacing the one of its app and stream, unless that would give the
     * account more than {@code maxPerAccount} users.
     *
     * @return false (and nothing stored) when the limit would be exceeded
     */
    boolean put(StreamUser user, int maxPerAccount);

    /** @return whether the account's user of that app and stream existed and was removed */
    boolean remove(long cdnId, String app, String stream);

    /** @return the account's users, of one app or (app null) of all, ordered by app and stream */
    List<StreamUser> list(long cdnId, String app);

    /** @return every user with this user name (to tell "wrong stream" from "wrong password") */
    List<StreamUser> byUser(String user);
}
