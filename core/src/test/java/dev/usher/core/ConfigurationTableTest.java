package dev.usher.core;

import dev.usher.core.config.UsherKey;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's configuration table (Property | Default | Description) documents exactly the keys
 * {@link UsherConfiguration#KEYS} declares, each with the same default: a key added to the code
 * without a line in the table, a line left for a key that is gone, or a default that drifted
 * fails here.
 */
class ConfigurationTableTest {

    private static final Pattern KEY = Pattern.compile("`(usher\\.[^`]+)`");

    /** @return the table's keys and defaults, in order; a row naming several keys (user, password) gives each */
    static Map<String, String> table(List<String> readme) {
        int header = readme.indexOf("| Property | Default | Description |");
        assertTrue(header >= 0, "the README has no configuration table");
        Map<String, String> rows = new LinkedHashMap<>();
        for (int i = header + 2; i < readme.size() && readme.get(i).startsWith("|"); i++) {
            List<String> cells = cells(readme.get(i));
            assertEquals(3, cells.size(), () -> "not a row of three cells: " + cells);
            Matcher m = KEY.matcher(cells.get(0));
            boolean any = false;
            while (m.find()) {
                any = true;
                String previous = rows.put(m.group(1), cells.get(1));
                assertEquals(null, previous, "listed twice: " + m.group(1));
            }
            assertTrue(any, () -> "a row without a key: " + cells);
            assertFalse(cells.get(2).isBlank(), () -> "a row without a description: " + cells);
        }
        return rows;
    }

    /** Splits a Markdown row at the | that are not escaped (the table writes \| inside cells). */
    static List<String> cells(String row) {
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        String inner = row.trim().substring(1, row.trim().length() - 1);
        for (int i = 0; i < inner.length(); i++) {
            char c = inner.charAt(i);
            if (c == '\\' && i + 1 < inner.length() && inner.charAt(i + 1) == '|') {
                cell.append('|');
                i++;
            } else if (c == '|') {
                cells.add(cell.toString().trim());
                cell.setLength(0);
            } else {
                cell.append(c);
            }
        }
        cells.add(cell.toString().trim());
        return cells;
    }

    static Path readme() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("README.md")) && Files.isDirectory(dir.resolve("core"))) {
                return dir.resolve("README.md");
            }
        }
        throw new AssertionError("no README.md above " + Path.of("").toAbsolutePath());
    }

    @Test
    void theReadmeTableListsEveryDeclaredKeyWithItsDefault() throws IOException {
        Map<String, String> documented = new TreeMap<>(table(Files.readAllLines(readme())));
        Map<String, String> declared = new TreeMap<>();
        for (UsherKey key : UsherConfiguration.KEYS) {
            assertEquals(null, declared.put(key.name(), key.defaultValue()), "declared twice: " + key.name());
        }
        assertEquals(declared.keySet(), documented.keySet(), "the keys of the README's table");
        assertEquals(declared, documented, "the defaults of the README's table");
    }

    @Test
    void aRowIsSplitAtItsUnescapedBars() {
        assertEquals(List.of("`usher.account.<cdn>.apps`", "`username-*`", "a | list"),
                cells("| `usher.account.<cdn>.apps` | `username-*` | a \\| list |"));
        assertEquals(Map.of("usher.jdbc.user", "*(none)*", "usher.jdbc.password", "*(none)*"),
                table(List.of("| Property | Default | Description |", "|---|---|---|",
                        "| `usher.jdbc.user`, `usher.jdbc.password` | *(none)* | Credentials. |", "")));
    }
}
