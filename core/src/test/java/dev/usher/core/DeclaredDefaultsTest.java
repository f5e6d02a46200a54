package dev.usher.core;

import dev.usher.core.config.UsherKey;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The default {@link UsherConfiguration#KEYS} declares for a key (what the README's table shows) is
 * the default the reading applies: setting a key to its declared default changes nothing.
 */
class DeclaredDefaultsTest {

    private static final Pattern LITERAL = Pattern.compile("`([^`]+)`");

    @TestFactory
    Stream<DynamicTest> settingAKeyToItsDeclaredDefaultChangesNothing() {
        UsherConfiguration defaults = UsherConfiguration.of(k -> Optional.empty(), List.of());
        return UsherConfiguration.KEYS.stream().filter(k -> !k.name().contains("<cdn>"))
                .filter(k -> LITERAL.matcher(k.defaultValue()).matches())
                .map(k -> DynamicTest.dynamicTest(k.name() + "=" + k.defaultValue(), () -> {
                    Matcher m = LITERAL.matcher(k.defaultValue());
                    m.matches();
                    Map<String, String> keys = Map.of(k.name(), m.group(1));
                    UsherConfiguration set = UsherConfiguration.of(key -> Optional.ofNullable(keys.get(key)), keys.keySet());
                    assertEquals(parts(defaults), parts(set), k.name());
                }));
    }

    private static List<Object> parts(UsherConfiguration c) {
        // recordings is null without an ingest folder, hence a list that holds null.
        return java.util.Arrays.asList(c.settings(), c.api(), c.guard(), c.issue(), c.store(),
                // the node id is drawn at random for each reading unless configured: not a declared default
                c.live().withNodeId("n"), c.recordings(), c.viewers(),
                c.credentials());
    }

    /** A key's declared default that a reading does not apply fails: the check can fail. */
    @TestFactory
    Stream<DynamicTest> aDifferentValueIsSeen() {
        UsherConfiguration defaults = UsherConfiguration.of(k -> Optional.empty(), List.of());
        return Stream.of(new UsherKey("usher.filter.paths", "`/video/`", ""), new UsherKey("usher.issue.uses", "`4`", ""))
                .map(k -> DynamicTest.dynamicTest(k.name(), () -> {
                    Map<String, String> keys = Map.of(k.name(), k.defaultValue().replace("`", ""));
                    UsherConfiguration set = UsherConfiguration.of(key -> Optional.ofNullable(keys.get(key)), keys.keySet());
                    org.junit.jupiter.api.Assertions.assertNotEquals(parts(defaults), parts(set));
                }));
    }
}
