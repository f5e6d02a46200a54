package dev.usher.core.credential;

import dev.usher.core.net.IpAddress;
import dev.usher.core.net.IpNetwork;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import static dev.usher.core.credential.CredentialStatus.BAD_SIGNATURE;
import static dev.usher.core.credential.CredentialStatus.EXPIRED;
import static dev.usher.core.credential.CredentialStatus.MALFORMED;
import static dev.usher.core.credential.CredentialStatus.UNKNOWN_KEY_ID;
import static dev.usher.core.credential.CredentialStatus.VALID;
import static dev.usher.core.credential.CredentialStatus.WRONG_NETWORK;
import static dev.usher.core.credential.CredentialStatus.WRONG_SCOPE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PlaybackCredentialsTest {

    static final byte[] SECRET_A = filled(0x11);
    static final byte[] SECRET_B = filled(0x22);
    static final Instant NOW = Instant.ofEpochSecond(1_700_000_000L);
    static final Instant EXPIRES = NOW.plusSeconds(3600);
    static final IpAddress CLIENT = IpAddress.parse("192.0.2.7");
    static final String TICKET = "mystream.53ffc996dd39d5.39102367";

    final PlaybackCredentials creds = PlaybackCredentials.of("k1", SECRET_A);

    static byte[] filled(int b) {
        byte[] s = new byte[32];
        Arrays.fill(s, (byte) b);
        return s;
    }

    String token() {
        return creds.sign(TICKET, "live", "mystream", IpNetwork.host(CLIENT), EXPIRES);
    }

    @Test
    void roundTrip() {
        String token = token();
        assertTrue(token.matches("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]{22}"), token);
        assertTrue(token.length() < 160, token);
        CredentialCheck check = creds.verify(token, "live", "mystream", CLIENT, NOW);
        assertEquals(VALID, check.status());
        PlaybackCredential c = check.credential();
        assertEquals("live", c.app());
        assertEquals("mystream", c.video());
        assertEquals(IpNetwork.host(CLIENT), c.client());
        assertEquals(EXPIRES, c.expires());
        assertEquals("k1", c.keyId());
        assertEquals(TICKET, c.ticketKey());
        assertEquals("uc=" + token, creds.queryParameter(c));
    }

    @Test
    void roundTripOfEveryNetworkShapeAndUnicode() {
        for (String net : new String[] {"0.0.0.0/0", "::/0", "10.0.0.0/8", "198.51.100.0/24", "2001:db8::/32",
                "2001:db8::1", "203.0.113.9", "v4-any", "v4-mapped/95"}) {
            IpNetwork network = switch (net) {
                case "v4-any" -> new IpNetwork(IpAddress.ofV4(0), 96);
                case "v4-mapped/95" -> new IpNetwork(IpAddress.ofV4(0), 95);
                default -> IpNetwork.parse(net);
            };
            String token = creds.sign("k.é.1", "ápp", "vidéo/ß 1", network, EXPIRES);
            CredentialCheck check = creds.authenticate(token);
            assertEquals(VALID, check.status(), net);
            assertEquals(network, check.credential().client(), net);
            assertEquals("vidéo/ß 1", check.credential().video());
        }
        assertEquals(VALID, creds.verify(creds.sign(TICKET, "live", "s", IpNetwork.ANY, EXPIRES), "live", "s",
                IpAddress.parse("2001:db8::9"), NOW).status());
    }

    @Test
    void secondsOnly() {
        String token = creds.sign(TICKET, "live", "mystream", IpNetwork.host(CLIENT), EXPIRES.plusMillis(999));
        assertEquals(EXPIRES, creds.authenticate(token).credential().expires());
    }

    @Test
    void scopeCoversTheFolderBelowTheVideo() {
        String token = token();
        assertEquals(VALID, creds.verify(token, "live", "mystream/v0/seg_001.ts", CLIENT, NOW).status());
        assertEquals(WRONG_SCOPE, creds.verify(token, "live", "mystream2", CLIENT, NOW).status());
        assertEquals(WRONG_SCOPE, creds.verify(token, "live", "mystream2/seg.ts", CLIENT, NOW).status());
        assertEquals(WRONG_SCOPE, creds.verify(token, "vod", "mystream", CLIENT, NOW).status());
        assertEquals(WRONG_SCOPE, creds.verify(token, "live", "other", CLIENT, NOW).status());
        assertEquals(WRONG_SCOPE, creds.verify(token, "live", "", CLIENT, NOW).status());
        assertEquals(WRONG_SCOPE, creds.verify(token, null, "mystream", CLIENT, NOW).status());
        CredentialCheck wrong = creds.verify(token, "live", "other", CLIENT, NOW);
        assertEquals(TICKET, wrong.credential().ticketKey(), "an authentic refusal names its ticket");
    }

    @Test
    void expiry() {
        String token = token();
        assertEquals(VALID, creds.verify(token, "live", "mystream", CLIENT, EXPIRES.minusSeconds(1)).status());
        assertEquals(EXPIRED, creds.verify(token, "live", "mystream", CLIENT, EXPIRES).status());
        assertEquals(EXPIRED, creds.verify(token, "live", "mystream", CLIENT, EXPIRES.plusSeconds(86400)).status());
    }

    @Test
    void wrongNetwork() {
        String token = token();
        assertEquals(WRONG_NETWORK, creds.verify(token, "live", "mystream", IpAddress.parse("192.0.2.8"), NOW).status());
        assertEquals(WRONG_NETWORK, creds.verify(token, "live", "mystream", IpAddress.parse("2001:db8::7"), NOW).status());
        assertEquals(WRONG_NETWORK, creds.verify(token, "live", "mystream", null, NOW).status());
        String subnet = creds.sign(TICKET, "live", "mystream", IpNetwork.parse("192.0.2.0/24"), EXPIRES);
        assertEquals(VALID, creds.verify(subnet, "live", "mystream", IpAddress.parse("192.0.2.200"), NOW).status());
        assertEquals(WRONG_NETWORK, creds.verify(subnet, "live", "mystream", IpAddress.parse("192.0.3.1"), NOW).status());
        // A dual-stack container reports the IPv4 client in mapped form: the same address.
        assertEquals(VALID, creds.verify(token, "live", "mystream", IpAddress.parse("::ffff:192.0.2.7"), NOW).status());
    }

    /**
     * Issue 10 item 3: a credential from a playback bound to an IPv6 block (::/64 from ::1) admitted
     * every IPv4 client. Signed afresh or decoded from bytes laid out by hand as the unchanged wire
     * form was written before the fix, it admits none.
     */
    @Test
    void familiesNeverMixInACredential() {
        String fromV6 = creds.sign(TICKET, "live", "mystream", IpNetwork.parse("::/64"), EXPIRES);
        for (String v4 : new String[] {"127.0.0.1", "0.0.0.0", "203.0.113.9", "::ffff:127.0.0.1"}) {
            assertEquals(WRONG_NETWORK, creds.verify(fromV6, "live", "mystream", IpAddress.parse(v4), NOW).status(), v4);
        }
        assertEquals(VALID, creds.verify(fromV6, "live", "mystream", IpAddress.parse("::1"), NOW).status());
        for (String block : new String[] {"::/8", "::/1", "::/96", "2001:db8::/32"}) {
            String c = creds.sign(TICKET, "live", "mystream", IpNetwork.parse(block), EXPIRES);
            assertEquals(WRONG_NETWORK, creds.verify(c, "live", "mystream", IpAddress.parse("127.0.0.1"), NOW).status(), block);
        }
        String fromV4 = creds.sign(TICKET, "live", "mystream", IpNetwork.parse("0.0.0.0/1"), EXPIRES);
        for (String v6 : new String[] {"::1", "::", "::127.0.0.1"}) {
            assertEquals(WRONG_NETWORK, creds.verify(fromV4, "live", "mystream", IpAddress.parse(v6), NOW).status(), v6);
        }
        // The explicit any network crosses families, as the ticket rule it comes from does.
        String any = creds.sign(TICKET, "live", "mystream", IpNetwork.ANY, EXPIRES);
        assertEquals(VALID, creds.verify(any, "live", "mystream", IpAddress.parse("127.0.0.1"), NOW).status());
        assertEquals(VALID, creds.verify(any, "live", "mystream", IpAddress.parse("::1"), NOW).status());

        // The wire form, as it was written before the families were separated: family 6, /64, ::.
        byte[] payload = PlaybackCredentials.payload(creds.issue(TICKET, "live", "mystream", IpNetwork.parse("::/64"), EXPIRES));
        int netAt = 1 + 1 + 2 + 8 + 1 + 4 + 2 + 8;
        ByteBuffer b = ByteBuffer.wrap(payload);
        assertEquals(6, b.get(netAt));
        assertEquals(64, b.get(netAt + 1));
        assertEquals(0L, b.getLong(netAt + 2));
        assertEquals(0L, b.getLong(netAt + 10));
    }

    /** Re-signing the changed payload with another secret stands for an attacker without ours. */
    @Test
    void tamperingWithAnyFieldBreaksTheSignature() {
        PlaybackCredential original = creds.issue(TICKET, "live", "mystream", IpNetwork.host(CLIENT), EXPIRES);
        String token = creds.encode(original);
        String tag = token.substring(token.indexOf('.') + 1);
        PlaybackCredential[] changed = {
            new PlaybackCredential("vod", "mystream", original.client(), EXPIRES, "k1", TICKET),
            new PlaybackCredential("live", "mystrean", original.client(), EXPIRES, "k1", TICKET),
            new PlaybackCredential("live", "mystream", IpNetwork.ANY, EXPIRES, "k1", TICKET),
            new PlaybackCredential("live", "mystream", IpNetwork.parse("192.0.2.0/24"), EXPIRES, "k1", TICKET),
            new PlaybackCredential("live", "mystream", original.client(), EXPIRES.plusSeconds(1), "k1", TICKET),
            new PlaybackCredential("live", "mystream", original.client(), EXPIRES, "k1", "other.53ffc996dd39d5.39102367"),
        };
        for (PlaybackCredential c : changed) {
            String payload = Base64.getUrlEncoder().withoutPadding().encodeToString(PlaybackCredentials.payload(c));
            assertEquals(BAD_SIGNATURE, creds.authenticate(payload + "." + tag).status(), c.toString());
            String forged = PlaybackCredentials.of("k1", SECRET_B).encode(c);
            assertEquals(BAD_SIGNATURE, creds.verify(forged, "live", "mystream", CLIENT, NOW).status(), c.toString());
        }
        // The key id field: pointing at another configured key id fails too.
        PlaybackCredentials two = new PlaybackCredentials("k1", Map.of("k1", SECRET_A, "k2", SECRET_B));
        String payload = Base64.getUrlEncoder().withoutPadding().encodeToString(PlaybackCredentials.payload(
                new PlaybackCredential("live", "mystream", original.client(), EXPIRES, "k2", TICKET)));
        assertEquals(BAD_SIGNATURE, two.authenticate(payload + "." + tag).status());
    }

    @Test
    void flippingAnyBitOfTheTextIsRefused() {
        String token = token();
        char[] chars = token.toCharArray();
        for (int i = 0; i < chars.length; i++) {
            for (char c : new char[] {'A', 'z', '_', '0'}) {
                if (chars[i] == c || chars[i] == '.') {
                    continue;
                }
                char[] copy = chars.clone();
                copy[i] = c;
                CredentialStatus status = creds.verify(new String(copy), "live", "mystream", CLIENT, NOW).status();
                assertNotEquals(VALID, status, "position " + i);
            }
        }
    }

    @Test
    void malformed() {
        String token = token();
        String payload = token.substring(0, token.indexOf('.'));
        for (String bad : new String[] {null, "", ".", "abc", token + ".", "." + token, token + "=", token + "A",
                token.substring(0, token.length() - 1), payload + ".", token.replace('.', ','),
                token + "&uc=x", "é" + token, "x".repeat(PlaybackCredentials.MAX_LENGTH + 1),
                payload + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[32])}) {
            assertEquals(MALFORMED, creds.verify(bad, "live", "mystream", CLIENT, NOW).status(), String.valueOf(bad));
        }
        assertNull(creds.authenticate("abc").credential());
    }

    @Test
    void nonCanonicalPayloadsAreMalformed() {
        byte[] good = PlaybackCredentials.payload(
                creds.issue(TICKET, "live", "mystream", IpNetwork.parse("192.0.2.0/24"), EXPIRES));
        assertTrue(PlaybackCredentials.parse(good) != null);
        byte[] trailing = Arrays.copyOf(good, good.length + 1);
        assertNull(PlaybackCredentials.parse(trailing));
        assertNull(PlaybackCredentials.parse(Arrays.copyOf(good, good.length - 1)));
        byte[] version = good.clone();
        version[0] = 2;
        assertNull(PlaybackCredentials.parse(version));
        // Host bits set in the network: decodes to a different canonical form, refused.
        ByteBuffer b = ByteBuffer.wrap(good.clone());
        int netAt = 1 + 1 + 2 + 8 + 1 + 4 + 2 + 8;
        assertEquals(4, b.get(netAt));
        b.put(netAt + 5, (byte) 7);
        assertNull(PlaybackCredentials.parse(b.array()));
        // A v4 block written in the v6 family.
        byte[] mapped = new byte[good.length + 12];
        System.arraycopy(good, 0, mapped, 0, netAt);
        ByteBuffer m = ByteBuffer.wrap(mapped, netAt, mapped.length - netAt);
        m.put((byte) 6).put((byte) (96 + 24)).putLong(0).putLong(0xffff_c000_0200L);
        System.arraycopy(good, netAt + 6, mapped, netAt + 18, good.length - netAt - 6);
        assertNull(PlaybackCredentials.parse(mapped));
        // Invalid UTF-8 in the app.
        byte[] utf = good.clone();
        utf[1 + 1 + 2 + 8 + 1] = (byte) 0xff;
        assertNull(PlaybackCredentials.parse(utf));
        // Length prefix running past the end.
        byte[] longer = good.clone();
        longer[1 + 1 + 2 + 8] = (byte) 200;
        assertNull(PlaybackCredentials.parse(longer));
    }

    @Test
    void rotation() {
        PlaybackCredentials old = new PlaybackCredentials("k1", Map.of("k1", SECRET_A));
        String signedOld = old.sign(TICKET, "live", "mystream", IpNetwork.host(CLIENT), EXPIRES);

        Map<String, byte[]> both = new LinkedHashMap<>();
        both.put("k1", SECRET_A);
        both.put("k2", SECRET_B);
        PlaybackCredentials rotated = new PlaybackCredentials("k2", both);
        String signedNew = rotated.sign(TICKET, "live", "mystream", IpNetwork.host(CLIENT), EXPIRES);
        assertEquals("k2", rotated.authenticate(signedNew).credential().keyId());
        assertEquals(VALID, rotated.verify(signedOld, "live", "mystream", CLIENT, NOW).status(), "old key id still configured");
        assertEquals(VALID, rotated.verify(signedNew, "live", "mystream", CLIENT, NOW).status());
        assertEquals(UNKNOWN_KEY_ID, old.verify(signedNew, "live", "mystream", CLIENT, NOW).status());

        PlaybackCredentials retired = new PlaybackCredentials("k2", Map.of("k2", SECRET_B));
        assertEquals(UNKNOWN_KEY_ID, retired.verify(signedOld, "live", "mystream", CLIENT, NOW).status(), "removed key id");
        assertEquals(VALID, retired.verify(signedNew, "live", "mystream", CLIENT, NOW).status());

        // Same key id, new secret: the old credentials no longer verify.
        PlaybackCredentials replaced = PlaybackCredentials.of("k1", SECRET_B);
        assertEquals(BAD_SIGNATURE, replaced.verify(signedOld, "live", "mystream", CLIENT, NOW).status());
    }

    @Test
    void configurationIsChecked() {
        assertThrows(IllegalArgumentException.class, () -> PlaybackCredentials.of("k1", new byte[31]));
        assertThrows(IllegalArgumentException.class, () -> PlaybackCredentials.of("k 1", SECRET_A));
        assertThrows(IllegalArgumentException.class, () -> PlaybackCredentials.of("", SECRET_A));
        assertThrows(IllegalArgumentException.class, () -> PlaybackCredentials.of("x".repeat(33), SECRET_A));
        assertThrows(IllegalArgumentException.class, () -> new PlaybackCredentials("k9", Map.of("k1", SECRET_A)));
        assertThrows(IllegalArgumentException.class, () -> creds.encode(
                new PlaybackCredential("live", "v", IpNetwork.ANY, EXPIRES, "k2", TICKET)));
        assertThrows(IllegalArgumentException.class, () -> creds.issue(TICKET, "a".repeat(129), "v", IpNetwork.ANY, EXPIRES));
        assertThrows(IllegalArgumentException.class, () -> creds.issue(TICKET, "a", "v".repeat(1025), IpNetwork.ANY, EXPIRES));
        assertThrows(IllegalArgumentException.class, () -> creds.issue("t".repeat(129), "a", "v", IpNetwork.ANY, EXPIRES));
        // The largest credential still fits under the length limit.
        String biggest = creds.sign("t".repeat(128), "a".repeat(128), "v".repeat(1024), IpNetwork.parse("2001:db8::/48"),
                EXPIRES);
        assertTrue(biggest.length() <= PlaybackCredentials.MAX_LENGTH);
        assertEquals(VALID, creds.authenticate(biggest).status());
    }

    @Test
    void secrets() {
        byte[] one = PlaybackCredentials.newSecret();
        byte[] two = PlaybackCredentials.newSecret();
        assertEquals(32, one.length);
        assertFalse(Arrays.equals(one, two));
        String b64 = Base64.getEncoder().encodeToString(one);
        assertArrayEquals(one, PlaybackCredentials.secretFromBase64(b64));
        assertArrayEquals(one, PlaybackCredentials.secretFromBase64(Base64.getUrlEncoder().withoutPadding().encodeToString(one)));
        IllegalArgumentException shortOne = assertThrows(IllegalArgumentException.class,
                () -> PlaybackCredentials.secretFromBase64("c2hvcnQ="));
        assertFalse(shortOne.getMessage().contains("c2hvcnQ"));
        assertThrows(IllegalArgumentException.class, () -> PlaybackCredentials.secretFromBase64("not base64!"));
    }

    @Test
    void toStringNeverShowsSecrets() {
        byte[] secret = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
        PlaybackCredentials c = new PlaybackCredentials("k1", Map.of("k1", secret, "k0", SECRET_B));
        String text = c.toString();
        assertTrue(text.contains("k1") && text.contains("k0"), text);
        assertFalse(text.contains("0123456789abcdef"), text);
        assertFalse(text.contains(Base64.getEncoder().encodeToString(secret)), text);
        assertFalse(text.contains("[B@"), text);
    }

    @Test
    void callerCannotChangeSecretsAfterwards() {
        byte[] secret = filled(0x33);
        PlaybackCredentials c = PlaybackCredentials.of("k1", secret);
        String token = c.sign(TICKET, "live", "mystream", IpNetwork.host(CLIENT), EXPIRES);
        Arrays.fill(secret, (byte) 0);
        assertEquals(VALID, c.authenticate(token).status());
    }
}
