package dev.usher.sample;

import dev.usher.cdi.PlaybackUrl;
import dev.usher.cdi.UsherTickets;
import dev.usher.core.live.PublisherLog;
import dev.usher.core.live.stream.LiveStreams;
import dev.usher.servlet.UsherRuntime;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.servlet.ServletContext;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static dev.usher.sample.SiteResponses.noStore;
import static dev.usher.sample.SiteResponses.noStoreControl;

/**
 * The live streams of the demo apps for {@code live.html}: which are publishing (live, or waiting
 * for their encoder within {@code playlist_timeout}) and, for the signed-in viewer, a playback URL
 * with a fresh ticket for one of them (its {@code video} is the stream, as for any package), and,
 * for an operator, the newest entries of the publisher log of the demo apps (the refused or
 * failed uploads {@code sevu.publishlog} answers, so an encoder with wrong credentials shows up).
 */
@Path("live")
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
public class LiveResource {

    /** The apps of the demo account that take ingest (the runner serves {@code /media/demo-live/}). */
    static final List<String> APPS = List.of("demo-live");

    @Inject
    UsherTickets usher;

    @Context
    ServletContext servletContext;

    public record LiveStream(String app, String stream, String state, String player, String manifest) {
    }

    public record Listing(boolean ingest, List<LiveStream> streams) {
    }

    public record Play(String app, String stream, String player, String url, String key) {
    }

    /** One refused or failed upload: the fields {@code sevu.publishlog} answers (never a password). */
    public record LogEntry(String time, String app, String stream, String file, String method, int status, String ip,
                           String user, String reason) {
    }

    public record Log(boolean ingest, int limit, List<LogEntry> entries) {
    }

    /** The most entries the page shows: the newest, the rest stay for {@code sevu.publishlog}. */
    static final int LOG_LIMIT = 100;

    @GET
    public Response list() {
        Optional<LiveStreams> live = streams();
        List<LiveStream> out = new ArrayList<>();
        live.ifPresent(l -> {
            for (String app : APPS) {
                for (String stream : l.live(app).stream().sorted().toList()) {
                    view(l, app, stream).ifPresent(out::add);
                }
            }
        });
        return noStore(new Listing(live.isPresent(), out));
    }

    /** A playback URL of a publishing stream with a ticket for the signed-in viewer (401 when nobody is, 404 when not live). */
    @GET
    @Path("play")
    public Response play(@QueryParam("stream") String stream, @QueryParam("refurl") String refUrl) {
        LiveStreams l = streams().orElseThrow(() -> new NotFoundException("no live ingest here"));
        String app = APPS.get(0);
        if (stream == null || !l.live(app).contains(stream)) {
            throw new NotFoundException("no such live stream");
        }
        LiveStream s = view(l, app, stream).orElseThrow(() -> new NotFoundException("no such live stream"));
        PlaybackUrl issued = usher.issue(app, stream + "/" + s.manifest(), refUrl);
        return noStore(new Play(app, stream, s.player(), issued.url(), issued.ticket().key()));
    }

    /**
     * The newest entries of the demo apps' publisher log, newest first. Operators only (the role
     * {@value DemoUsers#OPERATOR_ROLE}, the demo user {@code admin}): it names encoders' addresses and
     * user names. 401 signed out, 403 for a viewer.
     */
    @GET
    @Path("log")
    public Response log(@Context jakarta.servlet.http.HttpServletRequest request) {
        if (!usher.isSignedIn()) {
            return Response.status(Response.Status.UNAUTHORIZED).cacheControl(noStoreControl()).build();
        }
        if (!request.isUserInRole(DemoUsers.OPERATOR_ROLE)) {
            return Response.status(Response.Status.FORBIDDEN).cacheControl(noStoreControl()).build();
        }
        Optional<UsherRuntime> runtime = runtime();
        List<LogEntry> out = new ArrayList<>();
        runtime.ifPresent(r -> {
            for (PublisherLog.Entry e : r.live().log().read(Set.copyOf(APPS), null, null, LOG_LIMIT)) {
                out.add(new LogEntry(e.time().toString(), e.app(), e.stream(), e.file(), e.method(), e.status(), e.ip(),
                        e.user(), e.reason()));
            }
        });
        return noStore(new Log(runtime.flatMap(r -> r.live().streams()).isPresent(), LOG_LIMIT, out));
    }

    /** @return how the pages show a stream: its state in words, its player and manifest; empty when it has neither */
    static Optional<LiveStream> view(LiveStreams l, String app, String stream) {
        Optional<LiveStreams.State> state = l.state(app, stream);
        Optional<String> manifest = l.manifest(app, stream);
        if (state.isEmpty() || manifest.isEmpty()) {
            return Optional.empty();
        }
        String player = manifest.get().endsWith(".mpd") ? "dash" : "hls";
        return Optional.of(new LiveStream(app, stream, state.get() == LiveStreams.State.LIVE ? "publishing" : "waiting for the encoder",
                player, manifest.get()));
    }

    private Optional<LiveStreams> streams() {
        // The runtime Usher installed in this context (the one the ingest servlet feeds); none: no live streams.
        return runtime().flatMap(r -> r.live().streams());
    }

    private Optional<UsherRuntime> runtime() {
        return servletContext.getAttribute(UsherRuntime.ATTRIBUTE) instanceof UsherRuntime r ? Optional.of(r) : Optional.empty();
    }
}
