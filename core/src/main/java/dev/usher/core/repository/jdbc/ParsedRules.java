package dev.usher.core.repository.jdbc;

import dev.usher.core.rule.IpRestriction;
import dev.usher.core.rule.PatternList;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The parsed rules of the tickets read, kept by their text so that a decision does not parse its
 * ticket's video, app and ip rules again (it did on every read: 16 % of a decision's client time).
 * The parsed forms are immutable, so one instance serves every ticket and thread with the same
 * text. Bounded: each map holds at most {@value #MAX_ENTRIES} texts and starts over when full
 * (tickets share few distinct rules in practice; a flood of distinct ones only costs the parse).
 */
final class ParsedRules {

    /** Most texts remembered per kind of rule. */
    static final int MAX_ENTRIES = 10_000;

    private static final Map<String, PatternList> VIDEOS = new ConcurrentHashMap<>();
    private static final Map<String, PatternList> APPS = new ConcurrentHashMap<>();
    /** By the rule's text and its bindings ({@link JdbcRows#bindingsText}), joined by a newline (neither holds one). */
    private static final Map<String, IpRestriction> IPS = new ConcurrentHashMap<>();

    private ParsedRules() {
    }

    static PatternList video(String text) {
        return cached(VIDEOS, text, () -> PatternList.parse("video", text));
    }

    static PatternList app(String text) {
        return cached(APPS, text, () -> PatternList.parse("app", text));
    }

    static IpRestriction ip(String text, String bindings) {
        if (text.indexOf('\n') >= 0 || bindings.indexOf('\n') >= 0) {
            return JdbcRows.restoreIp(text, bindings); // not a key of the cache: parse (and most likely fail)
        }
        return cached(IPS, bindings.isEmpty() ? text : text + '\n' + bindings, () -> JdbcRows.restoreIp(text, bindings));
    }

    /** Parses outside the map's lock; a text that does not parse is not remembered (its exception is thrown). */
    private static <T> T cached(Map<String, T> map, String key, Supplier<T> parse) {
        if (key == null) {
            return parse.get(); // a NULL column: let the parser say what is wrong
        }
        T found = map.get(key);
        if (found != null) {
            return found;
        }
        T parsed = parse.get();
        if (map.size() >= MAX_ENTRIES) {
            map.clear();
        }
        map.put(key, parsed);
        return parsed;
    }
}
