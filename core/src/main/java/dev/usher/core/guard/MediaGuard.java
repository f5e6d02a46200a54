package dev.usher.core.guard;

import dev.usher.core.credential.CredentialCheck;
import dev.usher.core.credential.PlaybackCredential;
import dev.usher.core.credential.PlaybackCredentials;
import dev.usher.core.decision.Decision;
import dev.usher.core.decision.PlaybackRequest;
import dev.usher.core.media.MediaPath;
import dev.usher.core.net.IpAddress;
import dev.usher.core.service.RevocationWatch;
import dev.usher.core.service.UsherService;
import dev.usher.core.ticket.Ticket;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * What a guard in front of media decides for one request, whatever the transport (the servlet
 * filter, the JAX-RS {@code @ProtectedMedia} filters): an entry with {@code key} and {@code pass}
 * goes to the service; a child with a credential is checked from the credential and the
 * revocation watch alone; a granted manifest gets the credential its children will carry.
 */
public final class MediaGuard {

    private final UsherService service;
    private final PlaybackCredentials credentials;
    private final RevocationWatch revocations;
    private final Duration credentialLifetime;

    public MediaGuard(UsherService service, PlaybackCredentials credentials, RevocationWatch revocations,
                      Duration credentialLifetime) {
        this.service = service;
        this.credentials = credentials;
        this.revocations = revocations;
        this.credentialLifetime = credentialLifetime;
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
            return entry(media, key, pass == null ? "" : pass, client, pageUrl, refUrl);
        }
        return Verdict.refused("Forbidden: no ticket");
    }

    private Verdict entry(MediaPath media, String key, String pass, IpAddress client, String pageUrl, String refUrl) {
        // What can be known before the decision is checked first, so it never costs a use: a
        // manifest whose children could not carry a credential can't be served.
        if (media.kind().isManifest() && !PlaybackCredentials.fits(media.app(), media.scope())) {
            return Verdict.refused(NAMES_TOO_LONG);
        }
        Decision decision = service.authorize(PlaybackRequest.of(media, key, pass, client, pageUrl, refUrl));
        if (!decision.granted()) {
            return Verdict.refused(decision.reason().text());
        }
        Ticket ticket = decision.ticket();
        Instant now = service.now();
        revocations.watch(ticket.key(), now);
        Decision grant = decision.newPlayback() ? decision : null;
        if (!media.kind().isManifest()) {
            return new Verdict(true, null, null, grant);
        }
        Instant until = now.plus(credentialLifetime);
        if (ticket.expires().isBefore(until)) {
            until = ticket.expires();
        }
        try {
            PlaybackCredential c = credentials.issue(ticket.key(), media.app(), media.scope(), decision.clientNetwork(), until);
            return new Verdict(true, null, credentials.encode(c), grant);
        } catch (IllegalArgumentException e) {
            // Checked above, so not expected; should it happen, the grant is not charged.
            service.release(grant, 503);
            throw e;
        }
    }

    private Verdict child(MediaPath media, String credential, IpAddress client) {
        Instant now = service.now();
        CredentialCheck check = credentials.verify(credential, media.app(), media.path(), client, now);
        service.tell(l -> l.credentialChecked(check.status()));
        if (!check.isValid()) {
            return Verdict.refused("Forbidden: credential " + check.status().name().toLowerCase(Locale.ROOT));
        }
        if (revocations.isRevoked(check.credential().ticketKey(), now)) {
            return Verdict.refused("Token Revoked");
        }
        // A child manifest (a variant playlist) passes the same credential on to its own children.
        return new Verdict(true, null, media.kind().isManifest() ? credential : null);
    }
}
