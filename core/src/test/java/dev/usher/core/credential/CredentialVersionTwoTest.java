package dev.usher.core.credential;

import dev.usher.core.net.IpAddress;
import dev.usher.core.net.IpNetwork;
import dev.usher.core.viewer.Format;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Base64;

import static dev.usher.core.credential.CredentialStatus.BAD_SIGNATURE;
import static dev.usher.core.credential.CredentialStatus.MALFORMED;
import static dev.usher.core.credential.CredentialStatus.VALID;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Wire version 2 of the playback credential: the version 1 fields, the playback's format and the
 * player id its entry minted, so every child request is a sighting of that one player (issue 16).
 */
class CredentialVersionTwoTest {

    static final IpAddress CLIENT = PlaybackCredentialsTest.CLIENT;
    static final String PLAYER = "AbCdEfGhIjKlMnOpQrSt_-";
    static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    final PlaybackCredentials creds = PlaybackCredentials.of("k1", PlaybackCredentialsTest.SECRET_A);

    PlaybackCredential issued(Format format) {
        return creds.issue(PlaybackCredentialsTest.TICKET, "live", "mystream", IpNetwork.host(CLIENT),
                PlaybackCredentialsTest.EXPIRES, format, PLAYER);
    }

    @Test
    void roundTripOfEveryFormat() {
        for (Format format : Format.values()) {
            PlaybackCredential c = issued(format);
            assertEquals(2, c.version());
            String token = creds.encode(c);
            CredentialCheck check = creds.verify(token, "live", "mystream/v0/seg_1.ts", CLIENT, PlaybackCredentialsTest.NOW);
            assertEquals(VALID, check.status(), format.name());
            assertEquals(c, check.credential());
            assertEquals(format, check.credential().format());
            assertEquals(PLAYER, check.credential().playerId());
            assertEquals(PLAYER, PlaybackCredentials.playerIdOf(check.credential()));
            assertEquals(2, PlaybackCredentials.payload(c)[0]);
        }
    }

    @Test
    void versionOneStillVerifiesAndNamesAStablePlayer() {
        String v1 = creds.sign(PlaybackCredentialsTest.TICKET, "live", "mystream", IpNetwork.host(CLIENT),
                PlaybackCredentialsTest.EXPIRES);
        CredentialCheck check = creds.verify(v1, "live", "mystream", CLIENT, PlaybackCredentialsTest.NOW);
        assertEquals(VALID, check.status());
        PlaybackCredential c = check.credential();
        assertEquals(1, c.version());
        assertNull(c.playerId());
        assertEquals(Format.OTHER, c.format());
        String derived = PlaybackCredentials.playerIdOf(c);
        assertEquals(22, derived.length());
        assertTrue(PlaybackCredential.isPlayerId(derived), derived);
        assertEquals(derived, PlaybackCredentials.playerIdOf(creds.authenticate(v1).credential()), "the same for every child");
        String other = creds.sign(PlaybackCredentialsTest.TICKET, "live", "mystream", IpNetwork.host(CLIENT),
                PlaybackCredentialsTest.EXPIRES.plusSeconds(1));
        assertNotEquals(derived, PlaybackCredentials.playerIdOf(creds.authenticate(other).credential()), "another playback, another id");
    }

    @Test
    void aPayloadOfOneVersionNeverVerifiesAsTheOther() {
        PlaybackCredential v2 = issued(Format.HLS);
        String token = creds.encode(v2);
        String tag = token.substring(token.indexOf('.') + 1);
        // The version 1 fields alone, with the version 2 tag: the label differs, so does the payload.
        byte[] v1 = PlaybackCredentials.payload(new PlaybackCredential(v2.app(), v2.video(), v2.client(), v2.expires(),
                v2.keyId(), v2.ticketKey()));
        assertEquals(BAD_SIGNATURE, creds.authenticate(B64.encodeToString(v1) + "." + tag).status());
        // Version 1 fields marked version 2: not a whole version 2 payload.
        byte[] marked = v1.clone();
        marked[0] = 2;
        assertNull(PlaybackCredentials.parse(marked));
        // Version 2 fields marked version 1: trailing bytes.
        byte[] p = PlaybackCredentials.payload(v2);
        p[0] = 1;
        assertNull(PlaybackCredentials.parse(p));
    }

    /** Strict canonical decoding: no bit of a version 2 payload can change and still verify. */
    @Test
    void flippingAnyByteIsMalformedOrBadlySigned() {
        String token = creds.encode(issued(Format.DASH));
        String tag = token.substring(token.indexOf('.') + 1);
        byte[] payload = PlaybackCredentials.payload(issued(Format.DASH));
        for (int i = 0; i < payload.length; i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] flipped = payload.clone();
                flipped[i] ^= (byte) (1 << bit);
                CredentialStatus status = creds.authenticate(B64.encodeToString(flipped) + "." + tag).status();
                // (a changed key id names no configured secret: refused before the MAC)
                assertTrue(status == MALFORMED || status == BAD_SIGNATURE || status == CredentialStatus.UNKNOWN_KEY_ID,
                        "byte " + i + " bit " + bit + ": " + status);
            }
        }
        for (int cut = 1; cut < payload.length; cut++) {
            assertNull(PlaybackCredentials.parse(Arrays.copyOf(payload, cut)), "cut at " + cut);
        }
        assertNull(PlaybackCredentials.parse(Arrays.copyOf(payload, payload.length + 1)), "trailing byte");
    }

    @Test
    void formatAndPlayerIdAreChecked() {
        byte[] payload = PlaybackCredentials.payload(issued(Format.MP4));
        int formatAt = payload.length - 1 - 1 - PLAYER.length();
        assertEquals(Format.MP4.ordinal(), payload[formatAt]);
        byte[] unknownFormat = payload.clone();
        unknownFormat[formatAt] = (byte) Format.values().length;
        assertNull(PlaybackCredentials.parse(unknownFormat));
        byte[] dot = payload.clone();
        dot[payload.length - 1] = '.';
        assertNull(PlaybackCredentials.parse(dot), "not a base64url character");
        byte[] empty = Arrays.copyOf(payload, formatAt + 2);
        empty[formatAt + 1] = 0;
        assertNull(PlaybackCredentials.parse(empty), "an empty player id");
        for (String bad : new String[] {"", "x".repeat(PlaybackCredential.MAX_PLAYER_ID + 1), "a.b", "é"}) {
            assertThrows(IllegalArgumentException.class, () -> creds.issue(PlaybackCredentialsTest.TICKET, "live", "s",
                    IpNetwork.host(CLIENT), PlaybackCredentialsTest.EXPIRES, Format.HLS, bad), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> new PlaybackCredential("live", "s", IpNetwork.ANY,
                PlaybackCredentialsTest.EXPIRES, "k1", "t", Format.HLS, null), "a format needs a player id");
    }
}
