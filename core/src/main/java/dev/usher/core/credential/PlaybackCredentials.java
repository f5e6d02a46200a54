package dev.usher.core.credential;

import dev.usher.core.net.IpAddress;
import dev.usher.core.net.IpNetwork;
import dev.usher.core.viewer.Format;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Signs and checks {@link PlaybackCredential}s with server secrets, one per key id, so secrets can
 * be rotated: new credentials are signed with the current key id; a credential signed with any
 * configured key id verifies. Thread-safe; its keys are immutable (build a new instance to change
 * them). It remembers a bounded number of texts it has authenticated ({@link CredentialCache}), so
 * the segments of one playback, which all carry the same text, are checked in full once.
 *
 * <h2>Wire form</h2>
 * One query parameter, {@value #PARAMETER}, whose value is
 * <pre>  base64url(payload) "." base64url(tag)</pre>
 * without padding (every character is URL-unreserved, so it is copied into URLs, HLS attributes and
 * XML as is). The payload is a canonical binary encoding, each variable field length-prefixed, so
 * no two credentials share one encoding:
 * <pre>
 *   u8   version = 2 (1: a credential signed before players were named, ending after the ticket key)
 *   u8   n, n bytes   key id (ASCII letters, digits, '-', '_'; 1..32)
 *   i64  expiry, epoch seconds, big-endian (non-negative)
 *   u8   n, n bytes   app, UTF-8 (at most 128 bytes)
 *   u16  n, n bytes   video, UTF-8 (at most 1024 bytes)
 *   u8   family 4 or 6, u8 prefix (0..32 or 0..128), then 4 or 16 address bytes (host bits zero)
 *   u8   n, n bytes   ticket key, UTF-8 (at most 128 bytes)
 *   u8   format       (version 2) the {@link Format} ordinal: 0 HLS, 1 DASH, 2 MP4, 3 OTHER
 *   u8   n, n bytes   (version 2) player id (ASCII letters, digits, '-', '_'; 1..32)
 * </pre>
 * A credential with a player id ({@link PlaybackCredential#playerId()}) is written as version 2,
 * one without as version 1; both verify, so credentials signed before an upgrade keep working
 * until they expire.
 * An IPv4 block ({@link IpNetwork#isV4()}) is written as family 4; everything else, {@link IpNetwork#ANY}
 * included, as family 6 (a prefix of 0 there is {@code ANY}, the only network of both families).
 *
 * <h2>Address families</h2>
 * The family byte is the credential's family: a family-4 credential admits only IPv4 clients, a
 * family-6 credential with a prefix above 0 only IPv6 clients, whatever its bits (an IPv4-mapped
 * client address {@code ::ffff:a.b.c.d} is IPv4). {@link IpNetwork#contains} enforces this when the
 * credential is checked, not when it is signed, so credentials signed before the families were
 * separated (the wire form did not change) are judged by the same rule: one issued for an
 * {@code auto} slot bound from {@code ::1} ({@code ::/64}, family 6) no longer admits
 * {@code 127.0.0.1}. A family-6 payload whose block lies in {@code ::ffff:0:0/96} is not the
 * canonical encoding of any network and is {@code MALFORMED}, so no credential can name IPv4 with
 * family 6. The tag is the first 16 bytes (128
 * bits) of {@code HMAC-SHA256(secret, "usher-uc-v2" 0x00 payload)} ({@code "usher-uc-v1"} for
 * version 1); the label keeps a secret shared by mistake with another use from producing valid
 * credentials, and a payload of one version from verifying as the other. Decoding is strict: a payload or
 * base64 text that is not exactly what encoding the decoded fields gives is {@code MALFORMED}.
 * Texts longer than {@value #MAX_LENGTH} characters are refused before any decoding.
 */
public final class PlaybackCredentials {

    /** The query parameter that carries a credential. */
    public static final String PARAMETER = "uc";
    /** Longer credential texts are refused unread. */
    public static final int MAX_LENGTH = 2048;
    /** The shortest secret accepted, in bytes (256 bits, the HMAC-SHA256 block's worth of strength). */
    public static final int MIN_SECRET_BYTES = 32;
    /** The length of the truncated tag, in bytes. */
    public static final int TAG_BYTES = 16;

    static final int MAX_KEY_ID = 32;
    static final int MAX_APP = 128;
    static final int MAX_VIDEO = 1024;
    static final int MAX_TICKET_KEY = 128;
    private static final byte VERSION_1 = 1;
    private static final byte VERSION_2 = 2;
    private static final byte[] LABEL_1 = "usher-uc-v1\0".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] LABEL_2 = "usher-uc-v2\0".getBytes(StandardCharsets.US_ASCII);
    private static final Format[] FORMATS = Format.values();
    private static final String ALGORITHM = "HmacSHA256";
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();

    private final String currentKeyId;
    /** Initialized, never updated: each use works on a clone. */
    private final Map<String, Mac> macs;
    /** Texts authenticated by these keys (and only these: a new instance starts empty). */
    private final CredentialCache authenticated = new CredentialCache();

    /**
     * @param currentKeyId the key id new credentials are signed with; must be among {@code secrets}
     * @param secrets      every secret that verifies, by key id; each at least
     *                     {@value #MIN_SECRET_BYTES} bytes. The arrays are copied.
     */
    public PlaybackCredentials(String currentKeyId, Map<String, byte[]> secrets) {
        Objects.requireNonNull(currentKeyId, "currentKeyId");
        Objects.requireNonNull(secrets, "secrets");
        Map<String, Mac> byId = new LinkedHashMap<>();
        for (Map.Entry<String, byte[]> entry : secrets.entrySet()) {
            String id = entry.getKey();
            if (!isKeyId(id)) {
                throw new IllegalArgumentException("key id must be 1.." + MAX_KEY_ID
                        + " ASCII letters, digits, '-' or '_'");
            }
            byte[] secret = entry.getValue();
            if (secret == null || secret.length < MIN_SECRET_BYTES) {
                throw new IllegalArgumentException("the secret of key id " + id + " must have at least "
                        + MIN_SECRET_BYTES + " bytes");
            }
            byId.put(id, newMac(secret));
        }
        if (!byId.containsKey(currentKeyId)) {
            throw new IllegalArgumentException("the current key id has no secret");
        }
        this.currentKeyId = currentKeyId;
        this.macs = Collections.unmodifiableMap(byId);
    }

    /** @return a new one-key instance, for tests and single-node setups */
    public static PlaybackCredentials of(String keyId, byte[] secret) {
        return new PlaybackCredentials(keyId, Map.of(keyId, secret));
    }

    /** @return {@value #MIN_SECRET_BYTES} bytes from a new {@link SecureRandom} */
    public static byte[] newSecret() {
        return newSecret(new SecureRandom());
    }

    /** @return {@value #MIN_SECRET_BYTES} bytes from {@code random} */
    public static byte[] newSecret(SecureRandom random) {
        byte[] secret = new byte[MIN_SECRET_BYTES];
        random.nextBytes(secret);
        return secret;
    }

    /**
     * Reads a secret written in base64 (standard or URL alphabet, padding optional), as a
     * configuration value would carry it.
     *
     * @throws IllegalArgumentException when it is not base64 or shorter than {@value #MIN_SECRET_BYTES}
     *                                  bytes; the message never contains the text
     */
    public static byte[] secretFromBase64(String text) {
        byte[] secret;
        try {
            String t = text.strip().replace('+', '-').replace('/', '_');
            secret = B64D.decode(t);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("the secret is not base64");
        }
        if (secret.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("the secret must have at least " + MIN_SECRET_BYTES + " bytes");
        }
        return secret;
    }

    /**
     * Whether a credential can be built for {@code app} and {@code video} (a manifest's scope): the
     * wire form bounds them ({@value #MAX_APP} and {@value #MAX_VIDEO} UTF-8 bytes). A guard checks
     * this before deciding, so a request whose children could never get a credential is refused
     * before it costs a use.
     */
    public static boolean fits(String app, String video) {
        return app != null && video != null && app.getBytes(StandardCharsets.UTF_8).length <= MAX_APP
                && video.getBytes(StandardCharsets.UTF_8).length <= MAX_VIDEO;
    }

    public String currentKeyId() {
        return currentKeyId;
    }

    /** @return the configured key ids, sorted */
    public Set<String> keyIds() {
        return Collections.unmodifiableSet(new TreeSet<>(macs.keySet()));
    }

    /**
     * @return a credential for these fields under the current key id, naming no player (wire version 1)
     * @throws IllegalArgumentException when a field is too long for the wire form
     */
    public PlaybackCredential issue(String ticketKey, String app, String video, IpNetwork client, Instant expires) {
        return checked(new PlaybackCredential(app, video, client, expires, currentKeyId, ticketKey));
    }

    /**
     * @param format   how the playback plays
     * @param playerId the player instance its children are counted for ({@link PlaybackCredential#isPlayerId})
     * @return a credential for these fields under the current key id (wire version 2)
     * @throws IllegalArgumentException when a field is too long for the wire form or the player id is not one
     */
    public PlaybackCredential issue(String ticketKey, String app, String video, IpNetwork client, Instant expires,
                                    Format format, String playerId) {
        Objects.requireNonNull(playerId, "playerId");
        return checked(new PlaybackCredential(app, video, client, expires, currentKeyId, ticketKey, format, playerId));
    }

    private static PlaybackCredential checked(PlaybackCredential credential) {
        payload(credential); // checks the sizes now rather than when encoding
        return credential;
    }

    /**
     * The viewer a credential's children count for: its player id, or for a credential of wire
     * version 1 (which names none) one derived from the whole credential, {@code base64url} of the
     * first 16 bytes of SHA-256 of its payload: stable for the playback it was issued to, since a
     * manifest's children all carry the same credential.
     */
    public static String playerIdOf(PlaybackCredential credential) {
        if (credential.playerId() != null) {
            return credential.playerId();
        }
        return B64.encodeToString(Arrays.copyOf(sha256(payload(credential)), 16));
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    /** @return the signed query value of a credential for these fields, under the current key id */
    public String sign(String ticketKey, String app, String video, IpNetwork client, Instant expires) {
        return encode(issue(ticketKey, app, video, client, expires));
    }

    /**
     * @return the signed query value (without {@code uc=}) of {@code credential}, signed with the
     *         secret of its key id
     * @throws IllegalArgumentException when its key id is not configured or a field is too long
     */
    public String encode(PlaybackCredential credential) {
        Mac prototype = macs.get(credential.keyId());
        if (prototype == null) {
            throw new IllegalArgumentException("key id not configured: " + credential.keyId());
        }
        byte[] payload = payload(credential);
        byte[] tag = tag(prototype, payload, credential.version());
        return B64.encodeToString(payload) + '.' + B64.encodeToString(tag);
    }

    /** @return {@code uc=} followed by the signed value of {@code credential} */
    public String queryParameter(PlaybackCredential credential) {
        return PARAMETER + '=' + encode(credential);
    }

    /**
     * Checks a credential presented with a child request. The checks run in the order of
     * {@link CredentialStatus}; the first failure is returned. The MAC is compared in constant time.
     *
     * @param text   the value of the {@code uc} parameter, as received (may be null)
     * @param app    the child's app
     * @param video  the child's video, or its path under the app (see {@link PlaybackCredential#covers})
     * @param client the address the child request came from (null fails the network check)
     * @param now    the current time
     */
    public CredentialCheck verify(String text, String app, String video, IpAddress client, Instant now) {
        CredentialCheck authentic = authenticate(text);
        if (authentic.credential() == null) {
            return authentic;
        }
        PlaybackCredential credential = authentic.credential();
        if (credential.isExpired(now)) {
            return new CredentialCheck(CredentialStatus.EXPIRED, credential);
        }
        if (!credential.covers(app, video)) {
            return new CredentialCheck(CredentialStatus.WRONG_SCOPE, credential);
        }
        if (!credential.allows(client)) {
            return new CredentialCheck(CredentialStatus.WRONG_NETWORK, credential);
        }
        return authentic;
    }

    /**
     * Decodes and authenticates a credential without judging expiry, scope or network.
     *
     * @return {@code VALID} with the credential, or {@code MALFORMED}, {@code UNKNOWN_KEY_ID},
     *         {@code BAD_SIGNATURE} without one
     */
    public CredentialCheck authenticate(String text) {
        if (text == null || text.isEmpty() || text.length() > MAX_LENGTH) {
            return CredentialCheck.refused(CredentialStatus.MALFORMED);
        }
        int dot = text.indexOf('.');
        if (dot <= 0 || dot != text.lastIndexOf('.')) {
            return CredentialCheck.refused(CredentialStatus.MALFORMED);
        }
        // A text already authenticated in full is that same check again (compared in constant time).
        int pair = authenticated.pairOf(text, dot);
        byte[] bytes = CredentialCache.bytes(text);
        CredentialCheck known = authenticated.find(bytes, pair);
        if (known != null) {
            return known;
        }
        String payloadText = text.substring(0, dot);
        String tagText = text.substring(dot + 1);
        byte[] payload;
        byte[] tag;
        try {
            payload = B64D.decode(payloadText);
            tag = B64D.decode(tagText);
        } catch (IllegalArgumentException e) {
            return CredentialCheck.refused(CredentialStatus.MALFORMED);
        }
        if (tag.length != TAG_BYTES || !B64.encodeToString(payload).equals(payloadText)
                || !B64.encodeToString(tag).equals(tagText)) {
            return CredentialCheck.refused(CredentialStatus.MALFORMED);
        }
        PlaybackCredential credential = parse(payload);
        if (credential == null) {
            return CredentialCheck.refused(CredentialStatus.MALFORMED);
        }
        Mac prototype = macs.get(credential.keyId());
        if (prototype == null) {
            return CredentialCheck.refused(CredentialStatus.UNKNOWN_KEY_ID);
        }
        if (!MessageDigest.isEqual(tag(prototype, payload, credential.version()), tag)) {
            return CredentialCheck.refused(CredentialStatus.BAD_SIGNATURE);
        }
        CredentialCheck valid = new CredentialCheck(CredentialStatus.VALID, credential);
        authenticated.put(bytes, pair, valid);
        return valid;
    }

    /** @return how many authenticated texts are remembered (for tests of the bound) */
    int rememberedTexts() {
        return authenticated.size();
    }

    /** Names the key ids, never the secrets. */
    @Override
    public String toString() {
        return "PlaybackCredentials[current=" + currentKeyId + ", keyIds=" + keyIds() + "]";
    }

    // --- encoding -------------------------------------------------------------------------------

    static byte[] payload(PlaybackCredential c) {
        if (!isKeyId(c.keyId())) {
            throw new IllegalArgumentException("bad key id");
        }
        if (c.expires().getEpochSecond() < 0) {
            throw new IllegalArgumentException("expiry before 1970");
        }
        byte[] keyId = c.keyId().getBytes(StandardCharsets.US_ASCII);
        byte[] app = utf8(c.app(), MAX_APP, "app");
        byte[] video = utf8(c.video(), MAX_VIDEO, "video");
        byte[] ticket = utf8(c.ticketKey(), MAX_TICKET_KEY, "ticket key");
        byte[] player = c.playerId() == null ? null : c.playerId().getBytes(StandardCharsets.US_ASCII);
        IpNetwork net = c.client();
        boolean v4 = net.isV4();
        ByteBuffer out = ByteBuffer.allocate(1 + 1 + keyId.length + 8 + 1 + app.length + 2 + video.length
                + 2 + (v4 ? 4 : 16) + 1 + ticket.length + (player == null ? 0 : 2 + player.length));
        out.put(player == null ? VERSION_1 : VERSION_2);
        out.put((byte) keyId.length).put(keyId);
        out.putLong(c.expires().getEpochSecond());
        out.put((byte) app.length).put(app);
        out.putShort((short) video.length).put(video);
        if (v4) {
            out.put((byte) 4).put((byte) (net.prefix128() - 96)).putInt(net.base().v4Bits());
        } else {
            out.put((byte) 6).put((byte) net.prefix128()).putLong(net.base().high()).putLong(net.base().low());
        }
        out.put((byte) ticket.length).put(ticket);
        if (player != null) {
            out.put((byte) c.format().ordinal());
            out.put((byte) player.length).put(player);
        }
        return out.array();
    }

    /** @return the credential, or null when {@code payload} is not the canonical encoding of one */
    static PlaybackCredential parse(byte[] payload) {
        try {
            ByteBuffer in = ByteBuffer.wrap(payload);
            byte version = in.get();
            if (version != VERSION_1 && version != VERSION_2) {
                return null;
            }
            String keyId = new String(bytes(in, in.get() & 0xff), StandardCharsets.US_ASCII);
            long expiry = in.getLong();
            String app = new String(bytes(in, in.get() & 0xff), StandardCharsets.UTF_8);
            String video = new String(bytes(in, in.getShort() & 0xffff), StandardCharsets.UTF_8);
            int family = in.get();
            int prefix = in.get() & 0xff;
            IpNetwork client;
            if (family == 4 && prefix <= 32) {
                client = new IpNetwork(IpAddress.ofV4(in.getInt()), 96 + prefix);
            } else if (family == 6 && prefix <= 128) {
                client = new IpNetwork(new IpAddress(in.getLong(), in.getLong()), prefix);
            } else {
                return null;
            }
            String ticketKey = new String(bytes(in, in.get() & 0xff), StandardCharsets.UTF_8);
            Format format = Format.OTHER;
            String playerId = null;
            if (version == VERSION_2) {
                int ordinal = in.get() & 0xff;
                if (ordinal >= FORMATS.length) {
                    return null;
                }
                format = FORMATS[ordinal];
                playerId = new String(bytes(in, in.get() & 0xff), StandardCharsets.US_ASCII);
                if (!PlaybackCredential.isPlayerId(playerId)) {
                    return null;
                }
            }
            if (in.hasRemaining() || expiry < 0 || !isKeyId(keyId)) {
                return null;
            }
            PlaybackCredential credential = new PlaybackCredential(app, video, client,
                    Instant.ofEpochSecond(expiry), keyId, ticketKey, format, playerId);
            // One encoding per credential: anything else (host bits set, a v4 block written as v6,
            // invalid UTF-8, over-long fields) is refused.
            return Arrays.equals(payload(credential), payload) ? credential : null;
        } catch (RuntimeException e) { // BufferUnderflowException, IllegalArgumentException, DateTimeException
            return null;
        }
    }

    private static byte[] bytes(ByteBuffer in, int length) {
        byte[] out = new byte[length];
        in.get(out);
        return out;
    }

    private static byte[] utf8(String text, int max, String what) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > max) {
            throw new IllegalArgumentException(what + " longer than " + max + " UTF-8 bytes");
        }
        return bytes;
    }

    static boolean isKeyId(String id) {
        return PlaybackCredential.urlSafe(id, MAX_KEY_ID);
    }

    private static Mac newMac(byte[] secret) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(secret, ALGORITHM));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    private static byte[] tag(Mac prototype, byte[] payload, int version) {
        Mac mac;
        try {
            mac = (Mac) prototype.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("HmacSHA256 provider cannot clone", e);
        }
        mac.update(version == 1 ? LABEL_1 : LABEL_2);
        byte[] full = mac.doFinal(payload);
        return Arrays.copyOf(full, TAG_BYTES);
    }
}
