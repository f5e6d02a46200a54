package dev.usher.core.http;

import dev.usher.core.guard.MediaGuard;
import dev.usher.core.media.MediaPath;
import dev.usher.core.net.IpAddress;

/**
 * The HTTP policy of protected media, once for every transport: what the servlet filter and the
 * JAX-RS {@code @ProtectedMedia} filter ask, after each found the media path its own way. It reads
 * the ticket parameters from the raw query (refusing one given twice), takes a manifest's rewrite
 * slot before the decision (so a request turned away for want of one spends no use), resolves the
 * client's address through trusted proxies, and has the {@link MediaGuard} decide; a guard that
 * fails refuses (503), it never grants. The transports only translate the {@link Admission}.
 */
public final class MediaAdmission {

    private static final System.Logger LOG = System.getLogger("dev.usher.filter");

    private final MediaGuard guard;
    private final ClientAddressResolver clients;
    private final ManifestRewriteService manifests;

    public MediaAdmission(MediaGuard guard, ClientAddressResolver clients, ManifestRewriteService manifests) {
        this.guard = guard;
        this.clients = clients;
        this.manifests = manifests;
    }

    /** @return the rewriting of granted manifests (their slots, bounds and answer) */
    public ManifestRewriteService manifests() {
        return manifests;
    }

    /**
     * @param media      where the request points, or null when it names no media item (refused 403)
     * @param remoteAddr the peer's address as the container reports it
     * @param request    the transport's request
     * @return the refusal to answer, or the grant to serve (close it when the answer is written)
     */
    public Admission admit(MediaPath media, String remoteAddr, MediaRequestView request) {
        if (media == null) {
            return new Admission.Refused(Refusal.forbidden());
        }
        TicketParameters params;
        try {
            params = TicketParameters.parse(request.rawQuery());
        } catch (TicketParameters.AmbiguousQueryException e) {
            return new Admission.Refused(Refusal.badRequest("Ambiguous query (" + e.getMessage() + ")"));
        }
        // A manifest holds memory while it is read and rewritten: their number is bounded.
        ManifestRewriteService.Permit permit = null;
        if (media.kind().isManifest()) {
            permit = manifests.tryAcquire();
            if (permit == null) {
                return new Admission.Refused(Refusal.busy());
            }
        }
        IpAddress client = clients.resolve(remoteAddr, request);
        MediaGuard.Verdict verdict;
        try {
            // pageurl is the page that plays (its Referer); refurl how the viewer reached it (a parameter).
            // Only an entry (a key) logs them: a child's headers are not searched for it on every segment.
            String pageUrl = params.key() != null ? request.header("Referer") : null;
            verdict = guard.decide(media, params.key(), params.pass(), params.credential(), client,
                    pageUrl, params.refUrl());
        } catch (RuntimeException e) {
            // A repository that fails (a database down) refuses; it never grants.
            LOG.log(System.Logger.Level.ERROR, "playback decision failed; refusing", e);
            close(permit);
            return new Admission.Refused(Refusal.unavailable());
        }
        if (!verdict.granted()) {
            close(permit);
            return new Admission.Refused(Refusal.forbidden(verdict.reason()));
        }
        return new Admission.Granted(media, params, verdict, guard, permit);
    }

    private static void close(ManifestRewriteService.Permit permit) {
        if (permit != null) {
            permit.close();
        }
    }
}
