package dev.usher.core.account;

import dev.usher.core.config.ConfigReader;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Accounts are found whichever form their keys are listed in. */
class AccountConfigTest {

    /** Looks keys up the way MicroProfile Config does: the dotted name, then its environment form. */
    private static ConfigReader environmentOnly(Map<String, String> env) {
        return new ConfigReader(key -> Optional.ofNullable(env.get(key))
                .or(() -> Optional.ofNullable(env.get(key.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_")))));
    }

    @Test
    void anAccountGivenOnlyAsEnvironmentVariablesIsFound() {
        Map<String, String> env = Map.of(
                "USHER_ACCOUNT_159_API_KEY", "env-only-api-key",
                "USHER_ACCOUNT_159_SECRET", "a-secret-of-my-own-0123456789",
                "USHER_ACCOUNT_159_USERNAME", "envonly",
                "PATH", "/usr/bin");
        ConfigReader reader = environmentOnly(env);
        AccountRegistry accounts = AccountConfig.read(reader, env.keySet());
        reader.failOnProblems();
        Account a = accounts.byCdnId(159).orElseThrow();
        assertEquals("envonly", a.username());
        assertEquals("env-only-api-key", a.apiKey());
    }

    @Test
    void anIncompleteEnvironmentAccountIsAProblemNamingItsKeys() {
        Map<String, String> env = Map.of("USHER_ACCOUNT_160_API_KEY", "env-only-api-key");
        ConfigReader reader = environmentOnly(env);
        AccountConfig.read(reader, env.keySet());
        List<String> problems = reader.problems();
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("usher.account.160.secret")), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("usher.account.160.username")), problems.toString());
    }
}
