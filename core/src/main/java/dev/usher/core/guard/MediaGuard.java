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

    /**
     * The verdict on one request.
     *
     * @param granted    whether to serve it
     * @param reason     the text for a refusal (a seed reason, or {@code Forbidden: …})
     * @param credential for a granted manifest, the credential to put on its children; else null
     */
    public record Verdict(boolean granted, String reason, String credential) {
        static Verdict refused(String reason) {
            return new Verdict(false, reason, null);
        }
    }

    /**
     * @param key        the {@code key} parameter, or null
     * @param pass       the {@code pass} parameter, or null
     * @param credential the {@code uc} parameter, or null
     * @param referrer   the {@code Referer} header, or null (logged as page and referrer)
     */
    public Verdict decide(MediaPath media, String key, String pass, String credential, IpAddress client, String referrer) {
        if (client == null) {
            return Verdict.refused("Invalid IP Address");
        }
        if (credential != null && key == null) {
            return child(media, credential, client);
        }
        if (key != null && pass != null) {
            return entry(media, key, pass, client, referrer);
        }
        return Verdict.refused("Forbidden: no ticket");
    }

    private Verdict entry(MediaPath media, String key, String pass, IpAddress client, String referrer) {
        Decision decision = service.authorize(new PlaybackRequest(key, pass, client, media.app(), media.video(),
                media.manifestPath(), null, referrer, referrer));
        if (!decision.granted()) {
            return Verdict.refused(decision.reason().text());
        }
        Ticket ticket = decision.ticket();
        Instant now = service.now();
        revocations.watch(ticket.key(), now);
        if (!media.kind().isManifest()) {
            return new Verdict(true, null, null);
        }
        Instant until = now.plus(credentialLifetime);
        if (ticket.expires().isBefore(until)) {
            until = ticket.expires();
        }
        PlaybackCredential c = credentials.issue(ticket.key(), media.app(), media.scope(), decision.clientNetwork(), until);
        return new Verdict(true, null, credentials.encode(c));
    }

    private Verdict child(MediaPath media, String credential, IpAddress client) {
        Instant now = service.now();
        CredentialCheck check = credentials.verify(credential, media.app(), media.path(), client, now);
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
