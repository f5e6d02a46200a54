package dev.usher.sample;

import dev.usher.testing.Tools;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The sample as its users meet it: {@code java -jar target/usher-sample.jar} (the built thin jar, as a
 * child process on a free port) and a real viewer in headless Chromium (playwright-core driving
 * Debian's chromium, {@code e2e/site.mjs}): sign in, play every format, see "my tickets", sign out.
 * The browser walk runs once; each test checks one part of what it saw, or asks the running site
 * itself with a plain HTTP client.
 *
 * <p>The runner trusts {@code X-Forwarded-For} from 127.0.0.1 ({@code usher.trusted-proxies}), so a
 * plain client on loopback can pose as a viewer at another address.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SampleSiteIT {

    static final List<String> FORMATS = List.of("hls-ts", "hls-fmp4", "dash", "mp4");
    static final String OTHER_ADDRESS = "203.0.113.9";

    RunningProcess runner;
    URI base;
    JsonObject walk;
    String readyLine;
    String apiSecret;

    @BeforeAll
    void startAndWalk() throws Exception {
        Tools.requireBrowser();
        Path jar = TestTools.artifact("usher.sample.jar");
        Path data = Files.createTempDirectory("usher-site");
        runner = RunningProcess.start("usher-sample", jar.getParent().getParent(), List.of(TestTools.java(),
                "-Dusher.sample.port=0", "-Dusher.trusted-proxies=127.0.0.1/32",
                "-Dusher.sample.data-dir=" + data, "-jar", jar.toString()));
        readyLine = runner.await(l -> l.startsWith("Usher sample listening on "), l -> false, Duration.ofSeconds(60));
        // The demo API account's secret is the runner's own, made on first start in its data folder.
        apiSecret = SiteClient.runnerApiSecret(data);
        base = URI.create(readyLine.substring("Usher sample listening on ".length()).trim());

        Path script = Path.of(SampleSiteIT.class.getResource("/e2e/site.mjs").toURI());
        String options = Json.createObjectBuilder()
                .add("base", base.toString()).add("user", "alice").add("password", "alice")
                .add("formats", Json.createArrayBuilder(FORMATS)).add("until", 1.5).add("maxWait", 20000)
                .add("otherAddress", OTHER_ADDRESS).add("chromium", Tools.chromium().toString())
                .build().toString();
        ProcessBuilder pb = new ProcessBuilder(Tools.node(), script.toString(), options);
        pb.environment().put("USHER_NODE_MODULES", Tools.nodeModules().toString());
        Path err = Files.createTempFile("usher-e2e", ".log");
        pb.redirectError(err.toFile());
        Process node = pb.start();
        byte[] out = node.getInputStream().readAllBytes();
        if (!node.waitFor(3, TimeUnit.MINUTES)) {
            node.destroyForcibly();
            fail("the browser walk did not finish");
        }
        String json = new String(out, StandardCharsets.UTF_8).trim();
        if (json.isEmpty()) {
            fail("site.mjs printed nothing; its stderr:\n" + Files.readString(err) + "\nserver:\n" + runner.log());
        }
        walk = Json.createReader(new StringReader(json.substring(json.lastIndexOf('\n') + 1))).readObject();
        if (!walk.isNull("harnessError")) {
            fail("the browser walk failed: " + walk.getString("harnessError") + "\nserver:\n" + runner.log());
        }
    }

    @AfterAll
    void stop() throws Exception {
        if (runner != null) {
            runner.close();
        }
    }

    @Test
    void theRunnerPrintsOnlyTheReadyLine() {
        assertTrue(readyLine.matches("Usher sample listening on http://[^/:]+:\\d+/"), readyLine);
        assertEquals(List.of(readyLine), runner.stdout(), "standard output holds the ready line alone");
    }

    @Test
    void signingInThroughTheFormLandsOnTheCatalog() {
        JsonObject login = walk.getJsonObject("login");
        assertTrue(login.getString("loginPage").contains("/login.html"), login.toString());
        assertEquals(base.toString(), login.getString("landedOn"));
        assertEquals("Signed in as alice", login.getString("user"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"hls-ts", "hls-fmp4", "dash", "mp4"})
    void eachFormatPlaysInChromium(String format) {
        JsonObject play = walk.getJsonObject("plays").getJsonObject(format);
        assertNotNull(play, format + " was not played");
        String why = format + ": " + play;
        assertFalse(play.getBoolean("fatal"), why);
        assertTrue(play.getJsonNumber("currentTime").doubleValue() > 1.0, "playback did not advance past 1 s: " + why);
        String url = play.getString("url");
        assertTrue(url.startsWith("/media/demo-vod/") && url.contains("key=") && url.contains("pass=alice%7C"), url);
        List<JsonObject> media = mediaRequests(play);
        assertFalse(media.isEmpty(), why);
        for (JsonObject r : media) {
            int status = r.getInt("status");
            assertTrue(status == 200 || status == 206, "a media request was refused: " + r + "\n" + why);
        }
        if (!format.equals("mp4")) {
            // The children of a manifest carry playback credentials written in by Usher.
            assertTrue(media.stream().anyMatch(r -> r.getString("url").contains("?uc=")), why);
        }
    }

    /** watch.xhtml is a Facelets view whose {@code <video src>} is {@code #{usher.url(...)}}, evaluated on the server. */
    @Test
    void aServerRenderedPagePlaysTheUrlItsElExpressionWrote() {
        JsonObject rendered = walk.getJsonObject("rendered");
        String why = rendered.toString();
        assertFalse(rendered.isNull("src"), "the page rendered no <video>: " + why);
        String src = rendered.getString("src");
        assertTrue(src.startsWith("/media/demo-vod/mp4/demo.mp4?key=") && src.contains("&pass=alice%7C"), why);
        assertTrue(rendered.isNull("error"), why);
        assertTrue(rendered.getJsonNumber("currentTime").doubleValue() > 1.0, "playback did not advance past 1 s: " + why);
        assertTrue(mediaRequests(rendered).stream().allMatch(r -> r.getInt("status") == 200 || r.getInt("status") == 206), why);

        JsonObject signedOut = walk.getJsonObject("renderedSignedOut");
        assertTrue(signedOut.isNull("src"), "signed out, the page must render no ticket: " + signedOut);
        assertTrue(signedOut.getBoolean("noTicketPanel"), signedOut.toString());
    }

    @Test
    void afterSigningOutThePlayerGetsNoTicket() {
        JsonObject out = walk.getJsonObject("signedOut");
        assertTrue(out.getBoolean("noTicket"), out.toString());
        assertEquals(401, out.getInt("ticketStatus"), out.toString());
        assertTrue(out.isNull("url"), out.toString());
        assertTrue(mediaRequests(out).isEmpty(), "no media was requested: " + out);
        assertTrue(out.getString("header").contains("Sign in"), out.toString());
    }

    @Test
    void aPlaybackUrlOpenedFromAnotherAddressIsRefused() {
        JsonObject other = walk.getJsonObject("fromOtherAddress");
        assertEquals(403, other.getInt("status"), other.toString());
        assertTrue(other.getString("body").contains("Invalid IP Address"), other.toString());
    }

    @Test
    void aSegmentUrlCopiedToAnotherAddressIsRefused() throws Exception {
        JsonObject play = walk.getJsonObject("plays").getJsonObject("hls-ts");
        String segment = mediaRequests(play).stream().map(r -> r.getString("url"))
                .filter(u -> u.matches(".*/seg_\\d+\\.ts\\?uc=.*")).findFirst()
                .orElseThrow(() -> new AssertionError("no segment request in " + play));
        SiteClient client = new SiteClient(base);
        HttpResponse<String> elsewhere = client.get(URI.create(segment), "X-Forwarded-For", OTHER_ADDRESS);
        assertEquals(403, elsewhere.statusCode(), elsewhere.body());
        assertTrue(elsewhere.body().contains("wrong_network"), elsewhere.body());
        // The same URL from the viewer's own address still plays: it is the address that was refused.
        HttpResponse<byte[]> here = client.getBytes(URI.create(segment));
        assertEquals(200, here.statusCode());
        assertEquals(0x47, here.body()[0] & 0xff, "an MPEG-TS segment starts with the sync byte");
    }

    @Test
    void myTicketsShowsEveryTicketWithItsAttempts() {
        JsonObject page = walk.getJsonObject("tickets");
        List<String> tickets = page.getJsonArray("tickets").getValuesAs(JsonValue::toString);
        assertEquals(FORMATS.size(), tickets.size(), tickets.toString());
        for (String video : List.of("demo-vod/hls-ts", "demo-vod/hls-fmp4", "demo-vod/dash", "demo-vod/mp4/demo.mp4")) {
            assertTrue(tickets.stream().anyMatch(t -> t.contains(video + " — ")), video + " in " + tickets);
        }
        List<List<String>> attempts = new ArrayList<>();
        for (JsonArray row : page.getJsonArray("attempts").getValuesAs(JsonArray.class)) {
            attempts.add(row.getValuesAs(v -> ((jakarta.json.JsonString) v).getString()));
        }
        for (String video : List.of("hls-ts", "hls-fmp4", "dash", "mp4/demo.mp4")) {
            assertTrue(attempts.stream().anyMatch(a -> a.get(1).equals("127.0.0.1") && a.get(2).equals(video)
                    && a.get(3).equals("Success")), video + " granted in " + attempts);
        }
        assertTrue(attempts.stream().anyMatch(a -> a.get(1).equals(OTHER_ADDRESS) && a.get(2).equals("hls-ts")
                && a.get(3).equals("Invalid IP Address")), "the refusal and its reason in " + attempts);
    }

    @Test
    void theCatalogListsEveryFormatAndTheObserversCounts() throws Exception {
        JsonObject catalog = walk.getJsonObject("catalog");
        assertArrayEquals(new String[] {"play-hls-ts", "play-hls-fmp4", "play-dash", "play-mp4", "play-vault"},
                catalog.getJsonArray("links").getValuesAs(v -> ((jakarta.json.JsonString) v).getString()).toArray());
        assertTrue(catalog.getString("stats").matches("\\d+ tickets issued, \\d+ playback requests granted, \\d+ refused\\."),
                catalog.toString());
        // The observer of TicketIssued and PlaybackDecided saw the walk's tickets, grants and the refusal.
        String stats = new SiteClient(base).get("api/stats").body();
        assertTrue(SiteClient.number(stats, "issued") >= FORMATS.size(), stats);
        assertTrue(SiteClient.number(stats, "granted") >= FORMATS.size(), stats);
        assertTrue(SiteClient.number(stats, "refused") >= 1, stats);
        assertTrue(stats.contains("\"reason\":\"Invalid IP Address\""), stats);
    }

    /** A page that does not exist is the site's own page, not the container's; media refusals stay Usher's. */
    @Test
    void unknownPagesGetTheSitesOwnNotFoundPage() throws Exception {
        SiteClient visitor = new SiteClient(base);
        HttpResponse<String> missing = visitor.get("no/such/page.html");
        assertEquals(404, missing.statusCode());
        assertTrue(missing.body().contains("Page not found") && missing.body().contains("Back to the catalog"), missing.body());
        assertFalse(missing.body().contains("Jetty") || missing.body().contains("Powered by"), missing.body());
        assertTrue(missing.headers().firstValue("Set-Cookie").isEmpty(), "an error page opens no session");
        HttpResponse<String> media = visitor.get("media/demo-vod/mp4/demo.mp4");
        assertEquals(403, media.statusCode());
        assertEquals("Forbidden: no ticket\n", media.body());
    }

    /** Every page lays out on a phone: it declares the viewport. */
    @Test
    void everyPageDeclaresAViewportForPhones() throws Exception {
        SiteClient visitor = new SiteClient(base);
        for (String page : List.of("", "player.html?format=mp4", "login.html", "tickets.html", "watch.xhtml", "no/such/page")) {
            String body = visitor.get(page).body();
            assertTrue(body.contains("name=\"viewport\" content=\"width=device-width, initial-scale=1\""), page + ":\n" + body);
        }
    }

    @Test
    void theStatisticsShowAViewersAddressToThatViewerAlone() throws Exception {
        // The walk's decisions were alice's, from 127.0.0.1 and from OTHER_ADDRESS.
        String anonymous = new SiteClient(base).get("api/stats").body();
        assertFalse(anonymous.contains("127.0.0.1") || anonymous.contains(OTHER_ADDRESS), anonymous);
        JsonArray seenByAnonymous = recent(anonymous);
        assertFalse(seenByAnonymous.isEmpty(), anonymous);
        for (JsonObject d : seenByAnonymous.getValuesAs(JsonObject.class)) {
            assertTrue(!d.containsKey("client") || d.isNull("client"), "an anonymous visitor sees no address: " + d);
            assertFalse(d.getBoolean("mine"), d.toString());
        }

        SiteClient bob = new SiteClient(base);
        bob.signIn("bob", "bob");
        String seenByBob = bob.get("api/stats").body();
        assertFalse(seenByBob.contains(OTHER_ADDRESS), seenByBob);
        int others = 0;
        for (JsonObject d : recent(seenByBob).getValuesAs(JsonObject.class)) {
            boolean hasClient = d.containsKey("client") && !d.isNull("client");
            assertTrue(!hasClient || d.getBoolean("mine"), "bob sees only his own addresses: " + d);
            others += d.getBoolean("mine") ? 0 : 1;
        }
        assertTrue(others > 0, "alice's decisions are listed, without her addresses: " + seenByBob);

        SiteClient alice = new SiteClient(base);
        alice.signIn("alice", "alice");
        String seenByAlice = alice.get("api/stats").body();
        assertTrue(recent(seenByAlice).getValuesAs(JsonObject.class).stream()
                .anyMatch(d -> d.getBoolean("mine") && d.containsKey("client") && !d.isNull("client")),
                "alice sees her own addresses: " + seenByAlice);
    }

    private static JsonArray recent(String stats) {
        return Json.createReader(new StringReader(stats)).readObject().getJsonArray("recent");
    }

    @Test
    void anonymousVisitorsGetNoTicket() throws Exception {
        SiteClient anonymous = new SiteClient(base);
        HttpResponse<String> play = anonymous.get("api/play?format=mp4");
        assertEquals(401, play.statusCode(), play.body());
        assertEquals(401, anonymous.get("api/tickets").statusCode());
        HttpResponse<String> media = anonymous.get("media/demo-vod/mp4/demo.mp4");
        assertEquals(403, media.statusCode(), media.body());
    }

    @Test
    void theProtectedMediaResourceRefusesWithoutATicketAndServesWithOne() throws Exception {
        SiteClient bob = new SiteClient(base);
        HttpResponse<String> without = bob.get("api/vault/demo.mp4");
        assertEquals(403, without.statusCode(), without.body());
        bob.signIn("bob", "bob");
        String url = bob.playbackUrl("vault");
        assertTrue(url.startsWith("/api/vault/demo.mp4?key="), url);
        HttpResponse<byte[]> with = bob.getBytes(bob.absolute(url));
        assertEquals(200, with.statusCode());
        assertEquals("video/mp4", with.headers().firstValue("Content-Type").orElse(""));
        assertArrayEquals(Files.readAllBytes(demoMp4()), with.body());
        // Safari and iOS need 206 for a Range, as the container answers for its static files.
        byte[] mp4 = Files.readAllBytes(demoMp4());
        HttpResponse<byte[]> part = bob.getBytes(bob.absolute(url), "Range", "bytes=100-199");
        assertEquals(206, part.statusCode());
        assertEquals("bytes 100-199/" + mp4.length, part.headers().firstValue("Content-Range").orElse(""));
        assertArrayEquals(java.util.Arrays.copyOfRange(mp4, 100, 200), part.body());
        assertEquals(416, bob.getBytes(bob.absolute(url), "Range", "bytes=" + mp4.length + "-").statusCode());
        HttpResponse<byte[]> changed = bob.getBytes(bob.absolute(url), "Range", "bytes=0-9", "If-Range", "\"other\"");
        assertEquals(200, changed.statusCode());
        assertEquals(mp4.length, changed.body().length);
        HttpResponse<String> wrongPass = bob.get(bob.absolute(url.replaceAll("pass=[^&]+", "pass=nope")));
        assertEquals(403, wrongPass.statusCode(), wrongPass.body());
        assertTrue(wrongPass.body().contains("Invalid Auth Token"), wrongPass.body());
    }

    @Test
    void manifestsReturnedByAProtectedMediaResourceAreRewritten() throws Exception {
        SiteClient carol = new SiteClient(base);
        carol.signIn("alice", "alice");
        String media = carol.playbackUrl("hls-ts"); // a ticket for the video hls-ts of demo-vod
        String query = media.substring(media.indexOf('?'));
        URI master = carol.absolute("/api/vault/hls/master.m3u8" + query);
        HttpResponse<String> playlist = carol.get(master);
        assertEquals(200, playlist.statusCode(), playlist.body());
        assertEquals("private, no-store", playlist.headers().firstValue("Cache-Control").orElse(""));
        String variant = playlist.body().lines().filter(l -> l.startsWith("v0/index.m3u8")).findFirst().orElseThrow();
        assertTrue(variant.contains("uc="), playlist.body());
        HttpResponse<String> variantPlaylist = carol.get(master.resolve(variant));
        assertEquals(200, variantPlaylist.statusCode(), variantPlaylist.body());
        String segment = variantPlaylist.body().lines().filter(l -> l.startsWith("seg_000.ts")).findFirst().orElseThrow();
        assertTrue(segment.contains("uc="), variantPlaylist.body());
        URI segmentUrl = master.resolve(variant).resolve(segment);
        HttpResponse<byte[]> bytes = carol.getBytes(segmentUrl);
        assertEquals(200, bytes.statusCode());
        assertTrue(bytes.body().length > 1000 && bytes.body()[0] == 0x47, "an MPEG-TS segment (sync byte 0x47)");
        HttpResponse<String> bare = new SiteClient(base).get(carol.absolute("/api/vault/hls/v0/seg_000.ts"));
        assertEquals(403, bare.statusCode(), "without the credential the segment is refused");
        HttpResponse<String> elsewhere = new SiteClient(base).get(segmentUrl, "X-Forwarded-For", "198.51.100.77");
        assertEquals(403, elsewhere.statusCode(), "nor does the credential work from another network");
    }

    @Test
    void theJsonApiAnswersForTheDemoAccount() throws Exception {
        HttpResponse<String> r = new SiteClient(base, apiSecret).sevu("sevu.search", ",\"limit\":50");
        assertEquals(200, r.statusCode());
        assertEquals("2006", SiteClient.member(r.body().replaceAll("\"code\":(\\d+)", "\"code\":\"$1\""), "code"), r.body());
        // The tickets the site issued to its viewers belong to the demo account, so the API sees them.
        assertTrue(r.body().contains("\"app\":\"demo-vod\""), r.body());
    }

    /** Issue 11, item 8: pageurl is the player page (its Referer), refurl how the viewer reached it (the catalog). */
    @Test
    void theAttemptsLogThePlayerPageAsPageurlAndTheCatalogAsRefurl() throws Exception {
        JsonObject play = walk.getJsonObject("plays").getJsonObject("hls-ts");
        String url = play.getString("url");
        String catalog = base.toString();
        assertTrue(url.contains("&refurl=" + java.net.URLEncoder.encode(catalog, StandardCharsets.UTF_8)),
                "the player page passes its document.referrer: " + url);
        String key = java.net.URLDecoder.decode(url.replaceAll(".*[?&]key=([^&]*).*", "$1"), StandardCharsets.UTF_8);
        HttpResponse<String> r = new SiteClient(base, apiSecret).sevu("sevu.errorlog", ",\"key\":\"" + key + "\"");
        assertEquals(200, r.statusCode(), r.body());
        JsonObject first = Json.createReader(new StringReader(r.body())).readObject().getJsonArray("attempts")
                .getValuesAs(JsonObject.class).stream().filter(a -> a.getString("reason", "").equals("Success"))
                .findFirst().orElseThrow(() -> new AssertionError("no granted attempt in " + r.body()));
        assertTrue(first.getString("pageurl").startsWith(catalog + "player.html?format=hls-ts"), first.toString());
        assertEquals(catalog, first.getString("refurl"), first.toString());
    }

    @Test
    void theV2ResourceAnswersForTheDemoAccount() throws Exception {
        SiteClient client = new SiteClient(base, apiSecret);
        HttpResponse<String> r = client.v2("sevu_token?limit=50");
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.body().startsWith("[") && r.body().contains("\"app\":\"demo-vod\""), r.body());
        assertEquals(401, client.get("usher/v2/sevu_token").statusCode());
    }

    private static Path demoMp4() {
        return Tools.repoRoot().resolve("samples/src/main/media/demo-vod/mp4/demo.mp4");
    }

    private static List<JsonObject> mediaRequests(JsonObject play) {
        return play.getJsonArray("requests").getValuesAs(JsonObject.class).stream()
                .filter(r -> r.getString("url").contains("/media/")).toList();
    }
}
