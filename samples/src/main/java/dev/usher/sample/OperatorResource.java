package dev.usher.sample;

import dev.usher.cdi.IssueDefaults;
import dev.usher.cdi.PlaybackUrl;
import dev.usher.cdi.UsherTickets;
import dev.usher.core.account.Account;
import dev.usher.core.api.Json;
import dev.usher.core.api.SevuApi;
import dev.usher.core.attempt.Attempt;
import dev.usher.core.live.LiveNames;
import dev.usher.core.live.stream.LiveStreams;
import dev.usher.core.repository.TicketQuery;
import dev.usher.core.service.TicketRequestException;
import dev.usher.core.service.TicketUpdateRequest;
import dev.usher.core.ticket.Ticket;
import dev.usher.sample.console.ConsoleCommands;
import dev.usher.sample.console.TicketFilter;
import dev.usher.servlet.UsherRuntime;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import static dev.usher.sample.SiteResponses.noStore;
import static dev.usher.sample.SiteResponses.noStoreControl;

/**
 * The operator console's API, {@code /api/operator/…}, for the role {@value DemoUsers#OPERATOR_ROLE}
 * alone: 401 signed out (with where to sign in, as the rest of the site answers), 403 for a viewer.
 *
 * <p>It eats Usher's own food: the tickets through {@link dev.usher.core.service.UsherService}
 * (search, revoke, update, the attempt log) for the site's issuing account; the live streams, their
 * stream users, the publisher log, the recordings and the viewer counts through the JSON commands
 * ({@code sevu.liststreamusers}, {@code sevu.addstreamuser}, {@code sevu.removestreamuser},
 * {@code sevu.listrecordings}, {@code vsn.viewercount}) run in process ({@link ConsoleCommands}).
 *
 * <p>Every input is bounded (lengths, page size, a body of at most {@value #MAX_BODY} bytes) and so is
 * every answer (a page of at most {@value TicketFilter#MAX_SIZE} tickets, the newest
 * {@value #MAX_ATTEMPTS} attempts, {@value #MAX_RECORDINGS} recordings). Errors are JSON,
 * {@code {"error": …, "field": …}}. A change is a POST with a JSON body, the header
 * {@code X-Usher-Console: 1} and, when the browser sends one, an {@code Origin} of this site: a page
 * of another site can neither send that header nor that body type without a CORS preflight, which
 * this site never grants, so no other site can make a signed-in operator's browser change anything.
 */
@Path("operator")
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
public class OperatorResource {

    static final int MAX_BODY = 4096;
    static final int MAX_TEXT = 256;
    static final int MAX_ATTEMPTS = 200;
    static final int MAX_RECORDINGS = 50;
    /** The catalog's videos whose viewers are counted (the video each ticket names). */
    static final List<String> VOD_VIDEOS = List.of("hls-ts", "hls-fmp4", "dash", "mp4/demo.mp4");
    static final String HEADER = "X-Usher-Console";

    private static final SecureRandom RANDOM = new SecureRandom();

    @Inject
    UsherRuntime runtime;

    @Inject
    IssueDefaults defaults;

    @Inject
    UsherTickets usher;

    @Inject
    OperatorMonitor monitor;

    @Context
    HttpServletRequest request;

    private final Clock clock = Clock.systemUTC();

    public record TicketRow(String key, String app, String video, String user, String ip, int uses, boolean active,
                            boolean expired, Instant created, Instant expires, Instant used) {
    }

    public record TicketPage(int page, int size, int matching, int searched, boolean more, List<TicketRow> tickets) {
    }

    public record AttemptRow(Instant datetime, String ip, String app, String video, boolean success, String reason,
                             String pageurl, int count) {
    }

    public record Attempts(String key, int shown, List<AttemptRow> attempts) {
    }

    public record StreamRow(String app, String stream, String state, String manifest, String user, boolean dvr,
                            int dvrSegments, long dvrTimeoutSeconds, boolean record) {
    }

    public record Live(boolean ingest, boolean commands, List<StreamRow> streams, List<Map<String, Object>> users) {
    }

    // ---- tickets: UsherService for the issuing account

    @GET
    @Path("tickets")
    public Response tickets(@QueryParam("video") String video, @QueryParam("user") String user,
                            @QueryParam("active") String active, @QueryParam("expiry") String expiry,
                            @QueryParam("page") String page, @QueryParam("size") String size) {
        operator();
        String v = text("video", video, MAX_TEXT);
        String u = text("user", user, 64);
        Boolean a = switch (blankToNull(active) == null ? "" : active) {
            case "" -> null;
            case "yes" -> Boolean.TRUE;
            case "no" -> Boolean.FALSE;
            default -> throw bad("active", "active must be yes, no or empty");
        };
        TicketFilter filter;
        try {
            filter = new TicketFilter(u, blankToNull(expiry), number("page", page, 0), number("size", size, 20));
        } catch (IllegalArgumentException e) {
            throw bad(e.getMessage().startsWith("size") ? "size" : e.getMessage().startsWith("page") ? "page" : "expiry",
                    e.getMessage());
        }
        List<Ticket> found = runtime.service().search(account(), new TicketQuery(v, a, TicketQuery.MAX_LIMIT));
        Instant now = clock.instant();
        TicketFilter.Page p = filter.page(found, now);
        List<TicketRow> rows = p.tickets().stream().map(t -> row(t, now)).toList();
        return noStore(new TicketPage(filter.page(), filter.size(), p.matching(), found.size(),
                (filter.page() + 1) * filter.size() < p.matching(), rows));
    }

    @GET
    @Path("tickets/{key}/attempts")
    public Response attempts(@PathParam("key") String key) {
        operator();
        String k = key(key);
        List<Attempt> all = runtime.service().errorlog(account(), k, null).orElseThrow(() -> notFound("no such ticket"));
        List<AttemptRow> rows = new ArrayList<>();
        for (int i = all.size() - 1; i >= 0 && rows.size() < MAX_ATTEMPTS; i--) {
            Attempt at = all.get(i);
            rows.add(new AttemptRow(at.datetime(), at.ip(), at.app(), at.video(), at.reason().granted(), at.reason().text(),
                    at.pageurl(), at.count()));
        }
        return noStore(new Attempts(k, rows.size(), rows));
    }

    @POST
    @Path("tickets/{key}/revoke")
    public Response revoke(@PathParam("key") String key, InputStream body) {
        operator();
        change(body);
        Ticket t = runtime.service().revoke(account(), key(key)).orElseThrow(() -> notFound("no such ticket"));
        return noStore(row(t, clock.instant()));
    }

    /** Sets a new expiry: {@code {"expire": "+2 hours"}} or an absolute date, as {@code sevu.update}/v2 read it. */
    @POST
    @Path("tickets/{key}/extend")
    public Response extend(@PathParam("key") String key, InputStream body) {
        operator();
        Map<String, Object> fields = change(body);
        String expire = text("expire", fields.get("expire") instanceof String s ? s : null, 64);
        if (expire == null) {
            throw bad("expire", "expire is required: +N hours|days, or YYYY-MM-DD HH:MM:SS");
        }
        try {
            Ticket t = runtime.service().update(account(), key(key), new TicketUpdateRequest(null, expire, Map.of()))
                    .orElseThrow(() -> notFound("no such ticket"));
            return noStore(row(t, clock.instant()));
        } catch (TicketRequestException e) {
            throw bad("expire", String.valueOf(e.getMessage()));
        }
    }

    // ---- refusals: the sample's own listener

    @GET
    @Path("refusals")
    public Response refusals() {
        operator();
        return noStore(monitor.refusals().snapshot());
    }

    // ---- live: the JSON commands

    @GET
    @Path("live")
    public Response live() {
        operator();
        ConsoleCommands commands = commands();
        List<Map<String, Object>> users = new ArrayList<>();
        if (commands.available()) {
            for (String app : LiveResource.APPS) {
                users.addAll(objects(command(commands, "sevu.liststreamusers", Map.of("app", app)), "stream_users"));
            }
        }
        List<StreamRow> streams = new ArrayList<>();
        Optional<LiveStreams> live = runtime.live().streams();
        live.ifPresent(l -> {
            for (String app : LiveResource.APPS) {
                for (String stream : l.live(app).stream().sorted().toList()) {
                    streams.add(streamRow(l, app, stream));
                }
            }
        });
        return noStore(new Live(live.isPresent(), commands.available(), streams, users));
    }

    /**
     * Adds a stream user ({@code sevu.addstreamuser}), or replaces the one of that stream:
     * {@code {"stream", "user", "pass"}} (no pass: one is made and answered once), optional
     * {@code "record"}, {@code "enable_dvr"}, {@code "playlist_count"}, {@code "playlist_timeout"}.
     */
    @POST
    @Path("live/users")
    public Response addStreamUser(InputStream body) {
        operator();
        Map<String, Object> in = change(body);
        String stream = streamName(in.get("stream"));
        String user = text("user", in.get("user") instanceof String s ? s : null, 64);
        if (user == null) {
            throw bad("user", "user is required");
        }
        String pass = text("pass", in.get("pass") instanceof String s ? s : null, MAX_TEXT);
        boolean made = pass == null;
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("app", LiveResource.APPS.get(0));
        fields.put("stream", stream);
        fields.put("user", user);
        fields.put("pass", made ? newPassword() : pass);
        for (String flag : List.of("record", "enable_dvr")) {
            if (in.get(flag) instanceof Boolean b) {
                fields.put(flag, b);
            }
        }
        for (String n : List.of("playlist_count", "playlist_timeout")) {
            if (in.get(n) instanceof Number x) {
                fields.put(n, x);
            }
        }
        return streamUserChanged(command(commands(), "sevu.addstreamuser", fields), stream, made ? (String) fields.get("pass") : null);
    }

    /** A new random password for a stream's user, every other setting kept: answered once, never stored in clear. */
    @POST
    @Path("live/users/rotate")
    public Response rotate(InputStream body) {
        operator();
        String stream = streamName(change(body).get("stream"));
        ConsoleCommands commands = commands();
        String app = LiveResource.APPS.get(0);
        Map<String, Object> current = objects(command(commands, "sevu.liststreamusers", Map.of("app", app)), "stream_users")
                .stream().filter(u -> stream.equals(u.get("stream"))).findFirst()
                .orElseThrow(() -> notFound("no stream user for " + stream));
        Map<String, Object> fields = new LinkedHashMap<>();
        for (String name : List.of("app", "stream", "user", "record", "record_type", "segment_type", "segment_value",
                "save_folder", "playlist_count", "playlist_timeout", "enable_dvr", "ga_key")) {
            Object v = current.get(name);
            if (v != null && !(name.equals("ga_key") && "".equals(v))) {
                fields.put(name, v);
            }
        }
        String pass = newPassword();
        fields.put("pass", pass);
        return streamUserChanged(command(commands, "sevu.addstreamuser", fields), stream, pass);
    }

    @POST
    @Path("live/users/remove")
    public Response removeStreamUser(InputStream body) {
        operator();
        String stream = streamName(change(body).get("stream"));
        return streamUserChanged(command(commands(), "sevu.removestreamuser",
                Map.of("app", LiveResource.APPS.get(0), "stream", stream)), stream, null);
    }

    @GET
    @Path("recordings")
    public Response recordings() {
        operator();
        SevuApi.Answer a = command(commands(), "sevu.listrecordings",
                Map.of("app", LiveResource.APPS.get(0), "limit", MAX_RECORDINGS));
        List<Map<String, Object>> out = new ArrayList<>(objects(a, "recordings"));
        java.util.Collections.reverse(out); // newest first
        return noStore(Map.of("recordings", out));
    }

    /** A playback URL of one recording, with a fresh ticket for the operator ({@code folder} as {@code sevu.listrecordings} gave it). */
    @GET
    @Path("recordings/play")
    public Response playRecording(@QueryParam("folder") String folder, @QueryParam("mp4") boolean mp4) {
        operator();
        String f = text("folder", folder, 512);
        if (f == null || !f.matches("[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*") || f.contains("..")) {
            throw bad("folder", "folder must be a recording's folder as listed");
        }
        PlaybackUrl issued = usher.issue(LiveResource.APPS.get(0), f + (mp4 ? "/recording.mp4" : "/playlist.m3u8"));
        return noStore(Map.of("url", issued.url(), "player", mp4 ? "video" : "hls", "key", issued.ticket().key()));
    }

    // ---- viewers: vsn.viewercount

    /**
     * The viewers now, per video of the catalog and per live stream ({@code vsn.viewercount}, one
     * command per app). {@code available} is false, with the API's code and message, while the
     * command is not served (answered 0000).
     */
    @GET
    @Path("viewers")
    public Response viewers() {
        operator();
        ConsoleCommands commands = commands();
        List<Map<String, Object>> apps = new ArrayList<>();
        boolean available = true;
        String message = null;
        List<String> streams = runtime.live().streams().map(l -> l.live(LiveResource.APPS.get(0)).stream().sorted().toList())
                .orElse(List.of());
        Map<String, List<String>> asked = new LinkedHashMap<>();
        asked.put(Catalog.APP, VOD_VIDEOS);
        if (!streams.isEmpty()) {
            asked.put(LiveResource.APPS.get(0), streams.size() > 50 ? streams.subList(0, 50) : streams);
        }
        for (Map.Entry<String, List<String>> e : asked.entrySet()) {
            SevuApi.Answer a = command(commands, "vsn.viewercount",
                    Map.of("app", e.getKey(), "url", String.join("|", e.getValue())));
            if (!"success".equals(a.body().get("status"))) {
                available = false;
                message = String.valueOf(a.body().get("message"));
                break;
            }
            Map<String, Object> app = new LinkedHashMap<>();
            app.put("app", e.getKey());
            app.put("rows", objects(a, "data"));
            apps.add(app);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("available", available);
        out.put("message", message);
        out.put("at", clock.instant().toString());
        out.put("apps", available ? apps : List.of());
        return noStore(out);
    }

    // ---- checks, bounds and answers

    /** 401 signed out (as the rest of the site), 403 for anyone but an operator. */
    private void operator() {
        if (request.getUserPrincipal() == null) {
            throw new WebApplicationException(error(Response.Status.UNAUTHORIZED, "not signed in", null, Map.of("signin", "signin")));
        }
        if (!request.isUserInRole(DemoUsers.OPERATOR_ROLE)) {
            throw new WebApplicationException(error(Response.Status.FORBIDDEN, "operators only", null, Map.of()));
        }
    }

    /**
     * The checks of a change: the console's header, this site's origin, a JSON object body of at most
     * {@value #MAX_BODY} bytes. @return its members
     */
    private Map<String, Object> change(InputStream body) {
        if (!"1".equals(request.getHeader(HEADER))) {
            throw new WebApplicationException(error(Response.Status.FORBIDDEN, "a change needs the header " + HEADER + ": 1", null, Map.of()));
        }
        String origin = request.getHeader("Origin");
        if (origin != null && !origin.equals(ownOrigin())) {
            throw new WebApplicationException(error(Response.Status.FORBIDDEN, "another site's page may not change anything here", null, Map.of()));
        }
        String type = request.getContentType();
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith(MediaType.APPLICATION_JSON)) {
            throw new WebApplicationException(error(Response.Status.UNSUPPORTED_MEDIA_TYPE, "send application/json", null, Map.of()));
        }
        byte[] bytes;
        try {
            bytes = body == null ? new byte[0] : body.readNBytes(MAX_BODY + 1);
        } catch (IOException e) {
            throw bad("body", "the body could not be read");
        }
        if (bytes.length > MAX_BODY) {
            throw new WebApplicationException(error(Response.Status.REQUEST_ENTITY_TOO_LARGE, "at most " + MAX_BODY + " bytes", "body", Map.of()));
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        if (text.isBlank()) {
            return Map.of();
        }
        try {
            return Json.parseObject(text).members();
        } catch (Json.JsonException e) {
            throw bad("body", "not a JSON object: " + e.getMessage());
        }
    }

    private String ownOrigin() {
        String scheme = request.getScheme();
        int port = request.getServerPort();
        boolean usual = port < 0 || (scheme.equals("http") && port == 80) || (scheme.equals("https") && port == 443);
        String host = request.getServerName();
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return scheme + "://" + host + (usual ? "" : ":" + port);
    }

    private ConsoleCommands commands() {
        return new ConsoleCommands(runtime, account(), clock);
    }

    /** @return the command's answer; 503 when the site's issuing account is not an API account (nothing to sign with) */
    private static SevuApi.Answer command(ConsoleCommands commands, String name, Map<String, Object> fields) {
        return commands.run(name, fields).orElseThrow(() -> new WebApplicationException(error(Response.Status.SERVICE_UNAVAILABLE,
                "the site's issuing account (usher.issue.account) is not an API account: no command can be signed", null, Map.of())));
    }

    private Response streamUserChanged(SevuApi.Answer a, String stream, String madePassword) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("code", a.body().get("code"));
        out.put("message", a.body().get("message"));
        out.put("stream", stream);
        if (!"success".equals(a.body().get("status"))) {
            out.put("error", a.body().get("message"));
            out.put("field", a.body().get("field"));
            return Response.status(Response.Status.BAD_REQUEST).entity(out).cacheControl(noStoreControl()).build();
        }
        if (madePassword != null) {
            out.put("pass", madePassword); // shown once to the operator who asked; only its hash is kept
        }
        return noStore(out);
    }

    private Account account() {
        return defaults.account(runtime.accounts()); // the same account the usher bean issues the tickets for
    }

    private StreamRow streamRow(LiveStreams l, String app, String stream) {
        Optional<LiveResource.LiveStream> shown = LiveResource.view(l, app, stream);
        var settings = runtime.live().users().settingsOf(app, stream);
        return new StreamRow(app, stream, shown.map(LiveResource.LiveStream::state).orElse("ended"),
                shown.map(LiveResource.LiveStream::manifest).orElse(null), settings.map(s -> s.user()).orElse(null),
                settings.map(s -> s.dvr().enabled()).orElse(false), settings.map(s -> s.dvr().playlistCount()).orElse(0),
                settings.map(s -> s.dvr().playlistTimeout().toSeconds()).orElse(0L),
                settings.map(s -> s.record().record()).orElse(false));
    }

    private static TicketRow row(Ticket t, Instant now) {
        return new TicketRow(t.key(), t.app().text(), t.video().text(), TicketFilter.userOf(t), t.ip().shown(), t.uses(),
                t.active(), t.isExpired(now), t.created(), t.expires(), t.lastUsed());
    }

    /** @return the objects of a list member of a command's answer ({@link #plain}); none when it has no such list */
    private static List<Map<String, Object>> objects(SevuApi.Answer a, String member) {
        return a.body().get(member) instanceof List<?> list
                ? list.stream().filter(Map.class::isInstance).map(m -> plain((Map<?, ?>) m)).toList() : List.of();
    }

    /** @return a command's object with string keys and JSON-B-writable values (the API's null is null) */
    private static Map<String, Object> plain(Map<?, ?> m) {
        Map<String, Object> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(String.valueOf(k), v == Json.NULL ? null : v instanceof Map<?, ?> inner ? plain(inner) : v));
        return out;
    }

    private static String newPassword() {
        byte[] b = new byte[18];
        RANDOM.nextBytes(b);
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private static String streamName(Object value) {
        String s = value instanceof String v ? v : null;
        if (s == null || !LiveNames.simple(s)) {
            throw bad("stream", "stream must be a simple name (letters, digits, _ - .; at most " + LiveNames.MAX + ")");
        }
        return s;
    }

    private static String key(String key) {
        if (key == null || key.isEmpty() || key.length() > 128 || !key.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw bad("key", "not a ticket key");
        }
        return key;
    }

    /** @return the text, null when blank; 400 when longer than {@code max} or with control characters */
    private static String text(String field, String value, int max) {
        String v = blankToNull(value);
        if (v != null && (v.length() > max || v.chars().anyMatch(c -> c < 0x20 || c == 0x7f))) {
            throw bad(field, field + " must be at most " + max + " characters without control characters");
        }
        return v;
    }

    private static int number(String field, String value, int absent) {
        String v = blankToNull(value);
        if (v == null) {
            return absent;
        }
        if (v.length() > 6 || !v.chars().allMatch(Character::isDigit)) {
            throw bad(field, field + " must be a whole number");
        }
        return Integer.parseInt(v);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    private static WebApplicationException bad(String field, String message) {
        return new WebApplicationException(error(Response.Status.BAD_REQUEST, message, field, Map.of()));
    }

    private static WebApplicationException notFound(String message) {
        return new WebApplicationException(error(Response.Status.NOT_FOUND, message, null, Map.of()));
    }

    private static Response error(Response.Status status, String message, String field, Map<String, String> more) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", message);
        if (field != null) {
            body.put("field", field);
        }
        body.putAll(more);
        return Response.status(status).type(MediaType.APPLICATION_JSON).cacheControl(noStoreControl()).entity(body).build();
    }
}
