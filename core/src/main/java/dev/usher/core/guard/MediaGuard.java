package dev.usher.core.guard;

import dev.usher.core.credential.CredentialCheck;
import dev.usher.core.credential.CredentialStatus;
import dev.usher.core.credential.PlaybackCredential;
import dev.usher.core.credential.PlaybackCredentials;
import dev.usher.core.decision.Decision;
import dev.usher.core.decision.PlaybackRequest;
import dev.usher.core.media.MediaPath;
import dev.usher.core.net.IpAddress;
import dev.usher.core.net.IpNetwork;
import dev.usher.core.service.RevocationWatch;
import dev.usher.core.service.UsherListener;
import dev.usher.core.service.UsherService;
import dev.usher.core.ticket.Ticket;
import dev.usher.core.viewer.Format;
import dev.usher.core.viewer.NoViewers;
import dev.usher.core.viewer.Sighting;
import dev.usher.core.viewer.ViewerStore;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * What a guard in front of media decides for one request, whatever the transport (the servlet
 * filter, the JAX-RS {@code @ProtectedMedia} filters): an entry with {@code key} and {@code pass}
 * goes to the service; a child with a credential is checked from the credential and the
 * revocation watch alone; a granted manifest gets the credential its children will carry.
 *
 * <p><b>Viewers.</b> Every authorized request is a sighting of one player instance, told to the
 * {@link ViewerStore}: a granted manifest entry mints a random player id (16 bytes of
 * {@link SecureRandom}, base64url) that its credential carries, so each of its children (variant
 * playlists, segments, init segments, keys, a live MPD reloaded from its {@code Location}) is a
 * sighting of that player — renditions and audio and video of one player count once, two players
 * of one ticket twice. A non-manifest entry (an MP4, whose player repeats key and pass on every
 * range request) names the player by its ticket, file and client address ({@link #mp4PlayerId}):
 * one viewer per ticket, file and address. An entry that carries, beside key and pass, a valid
 * credential of the same ticket stays that credential's player. A refused request is never a
 * sighting. With {@link NoViewers} nothing is told and no id is derived.
 */
public final class MediaGuard {

    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final byte[] MP4_LABEL = "usher-mp4-viewer\0".getBytes(StandardCharsets.UTF_8);

    private final UsherService service;
    private final PlaybackCredentials credentials;
    private final RevocationWatch revocations;
    private final Duration credentialLifetime;
    private final ViewerStore viewers;
    private final boolean counting;
    private final SecureRandom random = new SecureRandom();

    /** A guard that counts no viewers. */
    public MediaGuard(UsherService service, PlaybackCredentials credentials, RevocationWatch revocations,
                      Duration credentialLifetime) {
        this(service, credentials, revocations, credentialLifetime, new NoViewers(Duration.ofSeconds(30)));
    }

    /** @param viewers where sightings go ({@link NoViewers}: none, and the concurrent-playback rule sees 0 others) */
    public MediaGuard(UsherService service, PlaybackCredentials credentials, RevocationWatch revocations,
                      Duration credentialLifetime, ViewerStore viewers) {
        this.service = service;
        this.credentials = credentials;
        this.revocations = revocations;
        this.credentialLifetime = credentialLifetime;
        this.viewers = viewers;
        this.counting = NoViewers.counts(viewers);
    }

    /** @return where this guard tells its sightings */
    public ViewerStore viewers() {
        return viewers;
    }

    /** The reason given when a manifest's app or folder is too long for its children's credentials. */
    public static final String NAMES_TOO_LONG = "Forbidden: app or folder too long for a playback credential";

    /**
     * The verdict on one request.
     *
     * @param granted    whether to serve it
     * @param reason     the text for a refusal (a reason of the sevu.errorlog page, docs/PROTOCOL.md#errorlog, or {@code Forbidden: …})
     * @param credential for a granted manifest, the credential to put on its children; else null
     * @param grant      for an entry that started a playback, the decision, to give back with
     *                   {@link #release} when the response fails; else null
     */
    public record Verdict(boolean granted, String reason, String credential, Decision grant) {

        public Verdict(boolean granted, String reason, String credential) {
            this(granted, reason, credential, null);
        }

        static Verdict refused(String reason) {
            return new Verdict(false, reason, null);
        }

        /** @return whether this verdict consumed a use that a failed response should give back */
        public boolean openedPlayback() {
            return grant != null && grant.newPlayback();
        }
    }

    /**
     * Gives back the use (and {@code auto} slot) that {@code verdict} took, when the response to its
     * request failed with {@code status} (400 or more) and so was not served. Call it after the
     * response is complete, for files and manifests alike; it does nothing for a verdict that
     * opened no playback, and gives a use back at most once.
     *
     * @return true when a use was given back
     */
    public boolean release(Verdict verdict, int status) {
        return verdict != null && verdict.openedPlayback() && service.release(verdict.grant(), status);
    }

    /** The parameter of a playback URL that says how the viewer reached the playing page (logged as {@code refurl}). */
    public static final String REFURL = "refurl";

    /** {@link #decide(MediaPath, String, String, String, IpAddress, String, String)} with no {@code refurl}. */
    public Verdict decide(MediaPath media, String key, String pass, String credential, IpAddress client, String pageUrl) {
        return decide(media, key, pass, credential, client, pageUrl, null);
    }

    /**
     * A request with a key is an entry: with no pass it is decided as an empty pass (an
     * {@code Invalid Auth Token} attempt, logged on the ticket), never passed over unlogged.
     *
     * @param key        the {@code key} parameter, or null
     * @param pass       the {@code pass} parameter, or null
     * @param credential the {@code uc} parameter, or null
     * @param pageUrl    the page that plays: the {@code Referer} header, or null (logged as {@code pageurl})
     * @param refUrl     how the viewer reached that page: the {@code refurl} parameter, or null (logged as
     *                   {@code refurl}; never part of the decision)
     */
    public Verdict decide(MediaPath media, String key, String pass, String credential, IpAddress client, String pageUrl,
                          String refUrl) {
        if (client == null) {
            return Verdict.refused("Invalid IP Address");
        }
        if (credential != null && key == null) {
            return child(media, credential, client);
        }
        if (key != null) {
            return entry(media, key, pass == null ? "" : pass, credential, client, pageUrl, refUrl);
        }
        return Verdict.refused("Forbidden: no ticket");
    }

    private Verdict entry(MediaPath media, String key, String pass, String carriedText, IpAddress client, String pageUrl,
                          String refUrl) {
        // What can be known before the decision is checked first, so it never costs a use: a
        // manifest whose children could not carry a credential can't be served.
        if (media.kind().isManifest() && !PlaybackCredentials.fits(media.app(), media.scope())) {
            return Verdict.refused(NAMES_TOO_LONG);
        }
        // A player already known is named before the decision, so the concurrent-playback rule can
        // leave it out; a new manifest player's id is minted only once granted (a random id is no
        // active viewer, and a refused entry costs no random bytes).
        PlaybackCredential carried = carriedText == null ? null : carried(carriedText, key, media, client);
        String known;
        Format format;
        if (carried != null) {
            known = PlaybackCredentials.playerIdOf(carried);
            format = carried.format();
        } else if (media.kind().isManifest()) {
            known = null;
            format = media.kind() == MediaPath.Kind.HLS_MANIFEST ? Format.HLS : Format.DASH;
        } else {
            known = counting ? mp4PlayerId(key, media, client) : null;
            format = Format.MP4;
        }
        PlaybackRequest request = PlaybackRequest.of(media, key, pass, client, pageUrl, refUrl);
        if (counting) {
            request = request.withOtherViewers(() -> viewers.activeOf(key, known, service.now()));
        }
        Decision decision = service.authorize(request);
        if (!decision.granted()) {
            return Verdict.refused(decision.reason().text());
        }
        String playerId = known == null && media.kind().isManifest() ? newPlayerId() : known;
        Ticket ticket = decision.ticket();
        Instant now = service.now();
        revocations.watch(ticket.key(), now);
        if (counting) {
            String video = carried != null ? carried.video() : media.scope();
            viewers.seen(new Sighting(playerId, ticket.key(), media.app(), video, format, IpNetwork.host(client)), now);
        }
        Decision grant = decision.newPlayback() ? decision : null;
        if (!media.kind().isManifest()) {
            return new Verdict(true, null, null, grant);
        }
        Instant until = now.plus(credentialLifetime);
        if (ticket.expires().isBefore(until)) {
            until = ticket.expires();
        }
        try {
            PlaybackCredential c = credentials.issue(ticket.key(), media.app(), media.scope(), decision.clientNetwork(), until,
                    format, playerId);
            return new Verdict(true, null, credentials.encode(c), grant);
        } catch (IllegalArgumentException e) {
            // Checked above, so not expected; should it happen, the grant is not charged.
            service.release(grant, 503);
            throw e;
        }
    }

    /**
     * The credential an entry carries beside key and pass (a player that appends them to every
     * request): when it is valid here and of the same ticket, the entry is that credential's player.
     */
    private PlaybackCredential carried(String text, String key, MediaPath media, IpAddress client) {
        CredentialCheck check = credentials.verify(text, media.app(), media.path(), client, service.now());
        return check.isValid() && check.credential().ticketKey().equals(key) ? check.credential() : null;
    }

    /** @return a new player id: 16 bytes of {@link SecureRandom}, base64url (22 characters) */
    private String newPlayerId() {
        byte[] id = new byte[16];
        random.nextBytes(id);
        return B64.encodeToString(id);
    }

    /**
     * The player of a non-manifest entry: base64url of the first 16 bytes of
     * SHA-256({@code "usher-mp4-viewer" 0x00 ticketKey 0x00 app/path 0x00 network}), the network being
     * the client's own address ({@code /32}, {@code /128}). One viewer per ticket, file and address:
     * two {@code <video>} elements of one file on one ticket from one address count once, as they
     * spend one use.
     */
    static String mp4PlayerId(String ticketKey, MediaPath media, IpAddress client) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
        sha.update(MP4_LABEL);
        sha.update((ticketKey + '\0' + media.app() + '/' + media.path() + '\0' + IpNetwork.host(client))
                .getBytes(StandardCharsets.UTF_8));
        return B64.encodeToString(Arrays.copyOf(sha.digest(), 16));
    }

    /**
     * The event of each credential status, made once: a lambda capturing the status was an
     * allocation on every child request.
     */
    private static final Consumer<UsherListener>[] CHECKED = checkedEvents();

    @SuppressWarnings("unchecked")
    private static Consumer<UsherListener>[] checkedEvents() {
        CredentialStatus[] statuses = CredentialStatus.values();
        Consumer<UsherListener>[] events = new Consumer[statuses.length];
        for (CredentialStatus status : statuses) {
            events[status.ordinal()] = l -> l.credentialChecked(status);
        }
        return events;
    }

    /** The verdict on every granted child that is not a manifest: serve it, nothing to rewrite or give back. */
    private static final Verdict CHILD_GRANTED = new Verdict(true, null, null);

    private Verdict child(MediaPath media, String credential, IpAddress client) {
        Instant now = service.now();
        CredentialCheck check = credentials.verify(credential, media.app(), media.path(), client, now);
        service.tell(CHECKED[check.status().ordinal()]);
        if (!check.isValid()) {
            return Verdict.refused("Forbidden: credential " + check.status().name().toLowerCase(Locale.ROOT));
        }
        PlaybackCredential c = check.credential();
        if (revocations.isRevoked(c.ticketKey(), now)) {
            service.tell(l -> l.childRevoked(c.ticketKey()));
            return Verdict.refused("Token Revoked");
        }
        if (counting) {
            // a player already counted is only touched; the whole sighting is made for a new one
            String playerId = PlaybackCredentials.playerIdOf(c);
            if (!viewers.seenAgain(playerId, now)) {
                viewers.seen(new Sighting(playerId, c.ticketKey(), c.app(), c.video(), c.format(), IpNetwork.host(client)), now);
            }
        }
        // A child manifest (a variant playlist) passes the same credential on to its own children;
        // every other child gets the one immutable verdict that says "serve it", not a new one each
        return media.kind().isManifest() ? new Verdict(true, null, credential) : CHILD_GRANTED;
    }
}
