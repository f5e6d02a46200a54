package dev.usher.sample;

import dev.usher.cdi.NotSignedInException;
import dev.usher.cdi.PlaybackUrl;
import dev.usher.cdi.UsherTickets;
import dev.usher.core.attempt.Attempt;
import dev.usher.core.http.MediaLayout;
import dev.usher.core.ticket.Ticket;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.time.Instant;
import java.util.List;

import static dev.usher.sample.SiteResponses.noStore;

/**
 * What the pages ask for: who is signed in, the catalog, a playback URL for one format (a fresh
 * ticket from the {@code usher} bean), the viewer's tickets with their attempt logs, and what the
 * event observer counted.
 */
@Path("/")
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
public class SiteResource {

    /** Where {@link VaultResource} serves the app's MP4 files: one fixed app, the file name under it. */
    private static final MediaLayout VAULT = MediaLayout.of("/api/vault/", Catalog.APP);

    @Inject
    UsherTickets usher;

    @Inject
    PlaybackStats stats;

    /** @param operator true for the role {@value DemoUsers#OPERATOR_ROLE}: the header then links the console */
    public record Me(boolean signedIn, String user, boolean operator) {
    }

    public record Play(String format, String title, String delivery, String player, String url, String key) {
    }

    public record AttemptView(Instant datetime, String ip, String video, boolean success, String reason) {
    }

    public record TicketView(String key, String app, String video, String ip, int uses, boolean active,
                             Instant created, Instant expires, Instant used, List<AttemptView> attempts) {
    }

    @GET
    @Path("me")
    public Response me(@Context HttpServletRequest request) {
        return noStore(new Me(usher.isSignedIn(), usher.isSignedIn() ? usher.user().orElse(null) : null,
                request.isUserInRole(DemoUsers.OPERATOR_ROLE)));
    }

    @GET
    @Path("catalog")
    public List<Catalog.Format> catalog() {
        return Catalog.FORMATS;
    }

    /**
     * A playback URL for {@code format} with a ticket issued to the signed-in viewer (401 when nobody is).
     * {@code refurl}, how the viewer reached the player page (its {@code document.referrer}), travels on the
     * URL and is logged as the attempts' {@code refurl}; the page itself is their {@code pageurl} (the Referer).
     */
    @GET
    @Path("play")
    public Response play(@QueryParam("format") String format, @QueryParam("refurl") String refUrl,
                         @Context HttpServletRequest request) {
        Catalog.Format f = Catalog.byId(format == null ? "" : format).orElseThrow(() -> new NotFoundException("no such format"));
        PlaybackUrl issued = usher.issue(Catalog.APP, f.path(), refUrl);
        String url = issued.url();
        if (f.vault()) {
            // The vault's files are the app's, one folder flat, below /api/vault/ (VaultResource).
            String file = f.path().substring(f.path().lastIndexOf('/') + 1);
            url = VAULT.entryUrl(request.getContextPath(), Catalog.APP, file, issued.ticket().key(), issued.ticket().pass(),
                    refUrl);
        }
        return noStore(new Play(f.id(), f.video(), f.badge() + ": " + f.title(), f.player(), url, issued.ticket().key()));
    }

    /** The signed-in viewer's tickets, newest first, each with its attempt log (401 when nobody is signed in). */
    @GET
    @Path("tickets")
    public Response tickets() {
        if (!usher.isSignedIn()) {
            throw new NotSignedInException();
        }
        List<TicketView> views = usher.getMine().stream().map(this::view).toList();
        return noStore(views);
    }

    /** What the observer counted; clients' addresses only of the visitor's own tickets (every one for an operator). */
    @GET
    @Path("stats")
    public Response stats(@Context HttpServletRequest request) {
        java.security.Principal user = request.getUserPrincipal();
        return noStore(stats.snapshot(user == null ? null : user.getName(), user != null && request.isUserInRole(DemoUsers.OPERATOR_ROLE)));
    }

    private TicketView view(Ticket t) {
        List<AttemptView> attempts = usher.attempts(t.key()).stream().map(SiteResource::view).toList();
        return new TicketView(t.key(), t.app().text(), t.video().text(), t.ip().shown(), t.uses(), t.active(),
                t.created(), t.expires(), t.usedDate(), attempts);
    }

    private static AttemptView view(Attempt a) {
        return new AttemptView(a.datetime(), a.ip(), a.video(), a.success(), a.reason().text());
    }
}
