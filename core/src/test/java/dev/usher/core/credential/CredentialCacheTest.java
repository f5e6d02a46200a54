package dev.usher.core.credential;

import dev.usher.core.net.IpAddress;
import dev.usher.core.net.IpNetwork;
import dev.usher.core.viewer.Format;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static dev.usher.core.credential.CredentialStatus.BAD_SIGNATURE;
import static dev.usher.core.credential.CredentialStatus.EXPIRED;
import static dev.usher.core.credential.CredentialStatus.MALFORMED;
import static dev.usher.core.credential.CredentialStatus.VALID;
import static dev.usher.core.credential.CredentialStatus.WRONG_NETWORK;
import static dev.usher.core.credential.CredentialStatus.WRONG_SCOPE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The segments of one playback carry one credential text: once it passed the full check, the same
 * text is that same check again, while every other text (tampered, non-canonical, of other keys)
 * still gets the full check and its own status, and expiry, scope and network are judged on every
 * request.
 */
class CredentialCacheTest {

    static final Instant NOW = PlaybackCredentialsTest.NOW;
    static final IpAddress CLIENT = PlaybackCredentialsTest.CLIENT;
    static final String TICKET = PlaybackCredentialsTest.TICKET;

    final PlaybackCredentials creds = PlaybackCredentials.of("k1", PlaybackCredentialsTest.SECRET_A);

    String token(String player) {
        return creds.encode(creds.issue(TICKET, "live", "mystream", IpNetwork.host(CLIENT), NOW.plusSeconds(3600),
                Format.HLS, player));
    }

    @Test
    void aTextAuthenticatedOnceIsTheSameCheckAfterwards() {
        String token = token("player-1");
        CredentialCheck first = creds.verify(token, "live", "mystream/seg_000.ts", CLIENT, NOW);
        assertEquals(VALID, first.status());
        // a copy of the text, as every request brings its own String
        CredentialCheck again = creds.verify(new String(token.toCharArray()), "live", "mystream/seg_001.ts", CLIENT, NOW);
        assertSame(first, again, "decoded and MAC'd again");
        assertSame(first.credential(), creds.authenticate(new String(token.toCharArray())).credential());
    }

    @Test
    void expiryScopeAndNetworkAreJudgedOnEveryRequestOfAKnownText() {
        String token = token("player-1");
        assertEquals(VALID, creds.verify(token, "live", "mystream/seg_000.ts", CLIENT, NOW).status());
        assertEquals(EXPIRED, creds.verify(token, "live", "mystream/seg_000.ts", CLIENT, NOW.plusSeconds(3600)).status());
        assertEquals(WRONG_SCOPE, creds.verify(token, "live", "other/seg_000.ts", CLIENT, NOW).status());
        assertEquals(WRONG_NETWORK, creds.verify(token, "live", "mystream/seg_000.ts",
                IpAddress.parse("192.0.2.8"), NOW).status());
        assertEquals(VALID, creds.verify(token, "live", "mystream/seg_000.ts", CLIENT, NOW).status());
    }

    @Test
    void everyOtherTextKeepsItsOwnStatusOnceTheTextIsKnown() {
        String token = token("player-1");
        assertEquals(VALID, creds.verify(token, "live", "mystream", CLIENT, NOW).status());
        // the statuses an instance that never saw the text gives
        PlaybackCredentials fresh = PlaybackCredentials.of("k1", PlaybackCredentialsTest.SECRET_A);
        char[] chars = token.toCharArray();
        for (int i = 0; i < chars.length; i++) {
            for (char c : new char[] {'A', 'B', 'z', '_', '0', '.'}) {
                if (chars[i] == c) {
                    continue;
                }
                char[] copy = chars.clone();
                copy[i] = c;
                String bad = new String(copy);
                CredentialStatus status = creds.verify(bad, "live", "mystream", CLIENT, NOW).status();
                assertNotEquals(VALID, status, "position " + i);
                assertEquals(fresh.verify(bad, "live", "mystream", CLIENT, NOW).status(), status, "position " + i);
            }
        }
        for (String bad : new String[] {token + "A", token.substring(0, token.length() - 1), token + "=", "A" + token}) {
            assertEquals(MALFORMED, creds.verify(bad, "live", "mystream", CLIENT, NOW).status(), bad);
        }
        // the same tag bits written with a different last character (22 characters carry 132 bits
        // for 128): not the canonical text, refused although its bytes are the right tag
        char last = token.charAt(token.length() - 1);
        String alias = token.substring(0, token.length() - 1) + (char) (last + 1);
        assertEquals(MALFORMED, creds.verify(alias, "live", "mystream", CLIENT, NOW).status());
    }

    @Test
    void aCharacterBeyondAsciiNeverMatchesAKnownText() {
        // The cache compares bytes: a character whose low byte is a character of the known text
        // (U+0141 'Ł' ends in 0x41, 'A'), or that a lossy encoding makes '?', must not be that character
        String token = token("player-1");
        assertEquals(VALID, creds.verify(token, "live", "mystream", CLIENT, NOW).status());
        PlaybackCredentials fresh = PlaybackCredentials.of("k1", PlaybackCredentialsTest.SECRET_A);
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            for (String other : new String[] {String.valueOf((char) (c + 0x100)), String.valueOf((char) (c + 0xff00)),
                    "\uD800", "\uDFFF", new String(Character.toChars(0x10000 + c))}) {
                String bad = token.substring(0, i) + other + token.substring(i + 1);
                CredentialStatus status = creds.verify(bad, "live", "mystream", CLIENT, NOW).status();
                assertNotEquals(VALID, status, "position " + i + ": " + other);
                assertEquals(fresh.verify(bad, "live", "mystream", CLIENT, NOW).status(), status, "position " + i);
            }
        }
    }

    @Test
    void anInstanceWithOtherKeysDoesNotKnowTheText() {
        String token = token("player-1");
        assertEquals(VALID, creds.verify(token, "live", "mystream", CLIENT, NOW).status());
        PlaybackCredentials other = PlaybackCredentials.of("k1", PlaybackCredentialsTest.SECRET_B);
        assertEquals(BAD_SIGNATURE, other.verify(token, "live", "mystream", CLIENT, NOW).status());
    }

    @Test
    void atMostTheSlotsAreHeldAndEvictedTextsStillVerify() {
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < 2 * CredentialCache.SLOTS + 100; i++) {
            tokens.add(token("p" + i));
        }
        for (String t : tokens) {
            assertEquals(VALID, creds.verify(t, "live", "mystream", CLIENT, NOW).status());
        }
        int held = creds.rememberedTexts();
        assertTrue(held <= CredentialCache.SLOTS, held + " held");
        assertTrue(held > CredentialCache.SLOTS / 2, held + " held: the cache barely works");
        for (String t : tokens) {
            assertEquals(VALID, creds.verify(t, "live", "mystream", CLIENT, NOW).status());
        }
        assertTrue(creds.rememberedTexts() <= CredentialCache.SLOTS);
    }
}
