package dev.usher.core.live;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Stream users in this node's memory: for one node, tests and the sample. */
public final class InMemoryStreamUserStore implements StreamUserStore {

    private final Map<String, StreamUser> users = new TreeMap<>();

    private static String key(String app, String stream) {
        return app + "\u0000" + stream;
    }

    @Override
    public synchronized Optional<StreamUser> get(String app, String stream) {
        return Optional.ofNullable(users.get(key(app, stream)));
    }

    @Override
    public synchronized boolean put(StreamUser user, int maxPerAccount) {
        String k = key(user.app(), user.stream());
        StreamUser existing = users.get(k);
        boolean replaces = existing != null && existing.cdnId() == user.cdnId();
        if (!replaces) {
            long owned = users.values().stream().filter(u -> u.cdnId() == user.cdnId()).count();
            if (owned >= maxPerAccount) {
                return false;
            }
        }
        users.put(k, user);
        return true;
    }

    @Override
    public synchronized boolean remove(long cdnId, String app, String stream) {
        StreamUser existing = users.get(key(app, stream));
        if (existing == null || existing.cdnId() != cdnId) {
            return false;
        }
        users.remove(key(app, stream));
        return true;
    }

    @Override
    public synchronized List<StreamUser> list(long cdnId, String app) {
        List<StreamUser> out = new ArrayList<>();
        for (StreamUser u : users.values()) {
            if (u.cdnId() == cdnId && (app == null || u.app().equals(app))) {
                out.add(u);
            }
        }
        out.sort(Comparator.comparing(StreamUser::app).thenComparing(StreamUser::stream));
        return out;
    }

    @Override
    public synchronized List<StreamUser> byUser(String user) {
        return users.values().stream().filter(u -> user.equals(u.user())).toList();
    }
}
