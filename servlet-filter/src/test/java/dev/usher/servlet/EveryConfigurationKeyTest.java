package dev.usher.servlet;

import dev.usher.core.UsherConfiguration;
import dev.usher.core.config.UsherConfigurationException;
import dev.usher.core.config.UsherKey;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every key of {@link UsherConfiguration#KEYS}, given a bad value, stops the start of a runtime
 * (what the filter builds), naming the key; several bad values at once are all listed in one
 * error. And the keys a start reads are exactly the keys the list declares.
 */
class EveryConfigurationKeyTest {

    private static final AtomicInteger DATABASES = new AtomicInteger();

    /**
     * A bad value for every key, by its name in {@link UsherConfiguration#KEYS}; null for the few
     * keys every value of which is acceptable (a name, a password). A new key without an entry here
     * fails {@link #everyKeyHasABadValueOrIsSaidToTakeAny}.
     */
    static final Map<String, String> BAD = new LinkedHashMap<>();

    static {
        BAD.put("usher.filter.paths", "/");
        BAD.put("usher.filter.app", "a/b");
        BAD.put("usher.trusted-proxies", "10.0.0.300");
        BAD.put("usher.trusted-proxies.header", "X-Real-IP");
        BAD.put("usher.credential.secrets", "no-colon");
        BAD.put("usher.credential.lifetime", "5s");
        BAD.put("usher.revocation.check-interval", "1h");
        BAD.put("usher.filter.max-manifest-bytes", "12");
        BAD.put("usher.filter.max-concurrent-rewrites", "many");
        BAD.put("usher.repository", "mongo");
        BAD.put("usher.jdbc.datasource", "java:comp/env/jdbc/none");
        BAD.put("usher.jdbc.url", "postgres://db/usher");
        BAD.put("usher.jdbc.user", null);
        BAD.put("usher.jdbc.password", null);
        BAD.put("usher.jdbc.pool-size", "0");
        BAD.put("usher.jdbc.create-schema", "perhaps");
        BAD.put("usher.jdbc.query-timeout", "soon");
        BAD.put("usher.purge-interval", "often");
        BAD.put("usher.jdbc.purge-interval", "-5m");
        BAD.put("usher.account.<cdn>.api-key", "short");
        BAD.put("usher.account.<cdn>.secret", "short");
        BAD.put("usher.account.<cdn>.username", "no spaces");
        BAD.put("usher.account.<cdn>.apps", "demo-*||tv");
        BAD.put("usher.account.<cdn>.commands", "sevu.everything");
        BAD.put("usher.api.enabled", "sometimes");
        BAD.put("usher.api.path", "/usher/");
        BAD.put("usher.api.timestamp-window", "5 minutes");
        BAD.put("usher.api.body-timeout", "1ms");
        BAD.put("usher.api.min-body-rate", "-1");
        BAD.put("usher.api.max-concurrent", "0");
        BAD.put("usher.playback-window", "0");
        BAD.put("usher.time-zone", "Mars/Olympus");
        BAD.put("usher.default-expiry", "yesterday");
        BAD.put("usher.attempt-log.retention", "0s");
        BAD.put("usher.attempt-log.max-per-ticket", "0");
        BAD.put("usher.issue.uses", "0");
        BAD.put("usher.issue.expire", "tomorrow-ish");
        BAD.put("usher.issue.ip", "auto/99");
        BAD.put("usher.issue.allow-anonymous", "maybe");
        BAD.put("usher.issue.account", "999");
        BAD.put("usher.server-name", null);
        BAD.put("usher.ingest.dir", "bad\0path");
        BAD.put("usher.ingest.max-object-mb", "0");
        BAD.put("usher.ingest.max-playlist-kb", "1");
        BAD.put("usher.ingest.min-free-mb", "-1");
        BAD.put("usher.ingest.body-timeout", "slow");
        BAD.put("usher.ingest.node-id", "a/b");
        BAD.put("usher.ingest.lease-time", "1s");
        BAD.put("usher.live.open-publishing", "wide");
        BAD.put("usher.live.max-stream-users", "0");
        BAD.put("usher.live.password-key", "not base64!");
        BAD.put("usher.live.ended-grace", "a while");
        BAD.put("usher.live.min-playlist-timeout", "0");
        BAD.put("usher.live.record.dir", "a\u0000b");
        BAD.put("usher.live.record.default-folder", "a/b");
        BAD.put("usher.live.record.time-zone", "Mars/Olympus");
        BAD.put("usher.live.record.duration-unit", "0s");
        BAD.put("usher.live.record.size-unit-kb", "0");
        BAD.put("usher.live.record.retention", "forever");
        BAD.put("usher.viewers.enabled", "perhaps");
        BAD.put("usher.viewers.window", "0s");
        BAD.put("usher.viewers.flush-interval", "1h");
        BAD.put("usher.viewers.retention", "1s");
    }

    /** A valid start: one account (so the API and the account keys are read), a credential secret, a live key. */
    static Map<String, String> valid() {
        SecureRandom random = new SecureRandom();
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        byte[] liveKey = new byte[32];
        random.nextBytes(liveKey);
        Map<String, String> keys = new HashMap<>();
        keys.put("usher.account.158.api-key", "api-key-" + random.nextInt(1_000_000));
        keys.put("usher.account.158.secret", Base64.getEncoder().encodeToString(secret));
        keys.put("usher.account.158.username", "demo");
        keys.put("usher.credential.secrets", "t1:" + Base64.getEncoder().encodeToString(secret));
        keys.put("usher.live.password-key", Base64.getEncoder().encodeToString(liveKey));
        return keys;
    }

    /** As {@link #valid()}, over a JDBC store (an H2 database of its own), so that the store's keys are read too. */
    static Map<String, String> validOverJdbc() {
        Map<String, String> keys = valid();
        keys.put("usher.repository", "jdbc");
        keys.put("usher.jdbc.url", "jdbc:h2:mem:every-key-" + DATABASES.incrementAndGet() + ";DB_CLOSE_DELAY=-1");
        keys.put("usher.jdbc.create-schema", "true");
        return keys;
    }

    static String concrete(String key) {
        return key.replace("<cdn>", "158");
    }

    static UsherConfigurationException refused(Map<String, String> keys) {
        return assertThrows(UsherConfigurationException.class,
                () -> UsherRuntime.fromConfig(k -> Optional.ofNullable(keys.get(k)), keys.keySet()).close(),
                () -> "started with " + keys);
    }

    @Test
    void everyKeyHasABadValueOrIsSaidToTakeAny() {
        assertEquals(UsherConfiguration.KEYS.stream().map(UsherKey::name).collect(Collectors.toCollection(TreeSet::new)),
                new TreeSet<>(BAD.keySet()));
    }

    @Test
    void theValidConfigurationsStart() {
        UsherRuntime.fromConfig(k -> Optional.ofNullable(valid().get(k)), valid().keySet()).close();
        Map<String, String> jdbc = validOverJdbc();
        UsherRuntime.fromConfig(k -> Optional.ofNullable(jdbc.get(k)), jdbc.keySet()).close();
    }

    @TestFactory
    Stream<DynamicTest> everyBadValueStopsTheStartNamingItsKey() {
        return BAD.entrySet().stream().filter(e -> e.getValue() != null).map(e -> DynamicTest.dynamicTest(
                e.getKey() + "=" + e.getValue().replace("\0", "\\0"), () -> {
                    String key = concrete(e.getKey());
                    Map<String, String> keys = key.startsWith("usher.jdbc.") ? validOverJdbc() : valid();
                    keys.put(key, e.getValue());
                    UsherConfigurationException refused = refused(keys);
                    assertTrue(refused.problems().stream().anyMatch(p -> p.contains(key)), () -> key + " not named in " + refused.problems());
                }));
    }

    @Test
    void severalBadValuesAreAllListedInOneError() {
        List<String> bad = List.of("usher.issue.ip", "usher.issue.expire", "usher.api.path", "usher.api.max-concurrent",
                "usher.filter.paths", "usher.playback-window", "usher.live.max-stream-users", "usher.account.<cdn>.commands",
                "usher.jdbc.pool-size", "usher.trusted-proxies");
        Map<String, String> keys = validOverJdbc();
        bad.forEach(k -> keys.put(concrete(k), BAD.get(k)));
        UsherConfigurationException refused = refused(keys);
        for (String k : bad) {
            assertTrue(refused.problems().stream().anyMatch(p -> p.contains(concrete(k))),
                    () -> concrete(k) + " not named in " + refused.problems());
        }
        assertEquals(refused.problems().size(), Set.copyOf(refused.problems()).size(), "each problem once");
        assertFalse(refused.getMessage().contains(keys.get("usher.credential.secrets").substring(3)), "never a secret");
    }

    /** The keys a start asks for are the declared ones: a key read somewhere else would be missing from the README. */
    @Test
    void aStartReadsExactlyTheDeclaredKeys() {
        Map<String, String> keys = validOverJdbc();
        keys.put("usher.ingest.dir", System.getProperty("java.io.tmpdir") + "/usher-every-key-" + DATABASES.incrementAndGet());
        keys.put("usher.account.158.apps", "demo-*");
        Set<String> asked = new TreeSet<>();
        UsherRuntime.fromConfig(k -> {
            asked.add(k.replace(".158.", ".<cdn>."));
            return Optional.ofNullable(keys.get(k));
        }, keys.keySet()).close();
        Set<String> declared = UsherConfiguration.KEYS.stream().map(UsherKey::name)
                .filter(k -> !k.equals("usher.jdbc.datasource")) // asked only when no URL is set
                .collect(Collectors.toCollection(TreeSet::new));
        asked.remove("usher.jdbc.datasource");
        assertEquals(declared, asked);
    }
}
