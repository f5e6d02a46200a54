package dev.usher.servlet;

import dev.usher.core.config.UsherConfigurationException;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A secret anyone can read in Usher's repository stops the start, naming the key and never the value. */
class PublishedSecretStartupTest {

    /** The credential secret the sample once shipped in its microprofile-config.properties. */
    static final String OLD_SAMPLE_SECRET = "OaVHLmOvjGriH1nyI0NaU+TXxCV2hBtdHUyj01PwhLA=";

    static UsherConfigurationException refused(Map<String, String> keys) {
        return assertThrows(UsherConfigurationException.class,
                () -> UsherRuntime.fromConfig(k -> Optional.ofNullable(keys.get(k)), keys.keySet()).close());
    }

    @Test
    void theSamplesOldCredentialSecretIsRefused() {
        UsherConfigurationException e = refused(Map.of("usher.credential.secrets", "demo1:" + OLD_SAMPLE_SECRET));
        assertTrue(e.getMessage().contains("usher.credential.secrets") && e.getMessage().contains("published"), e.getMessage());
        assertFalse(e.getMessage().contains(OLD_SAMPLE_SECRET), "never the secret itself");
    }

    @Test
    void theSamplesOldApiSecretIsRefused() {
        UsherConfigurationException e = refused(Map.of("usher.account.158.api-key", "demo-api-key-158",
                "usher.account.158.secret", "demo-secret-change-me-158", "usher.account.158.username", "demo"));
        assertTrue(e.getMessage().contains("usher.account.158.secret is a published value"), e.getMessage());
        assertFalse(e.getMessage().contains("demo-secret-change-me-158"));
    }

    @Test
    void aSharedRepositoryWithoutASecretNamesTheKeyToSet() {
        UsherConfigurationException e = refused(Map.of("usher.repository", "jdbc", "usher.jdbc.url", "jdbc:nosuchdriver:x"));
        assertTrue(e.getMessage().contains("usher.credential.secrets is required"), e.getMessage());
    }
}
