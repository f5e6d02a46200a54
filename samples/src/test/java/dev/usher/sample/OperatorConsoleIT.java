package dev.usher.sample;

import dev.usher.testing.Tools;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The operator console as an operator uses it: the packaged runner, headless Chromium
 * ({@code e2e/operator.mjs}) with the operator {@code admin} in one browser context and the viewers
 * alice and bob in others, stock ffmpeg publishing a live stream with the stream user the operator
 * added on the console, and a second ffmpeg pushing with a wrong password. The walk runs once; each
 * test checks one part of what it saw. Screenshots of every console page go to
 * {@code samples/target/screenshots/}.
 *
 * <p>The runner re-reads running playbacks' tickets every second ({@code usher.revocation.check-interval})
 * and trusts {@code X-Forwarded-For} from loopback, so the walk can replay a segment URL from another address.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OperatorConsoleIT {

    static final String OTHER_ADDRESS = "203.0.113.7";

    RunningProcess runner;
    URI base;
    Path data;
    JsonObject walk;

    @BeforeAll
    void startAndWalk() throws Exception {
        Tools.requireBrowser();
        Tools.requireFfmpeg();
        Path jar = TestTools.artifact("usher.sample.jar");
        data = Files.createTempDirectory("usher-console");
        runner = RunningProcess.start("usher-sample-console", jar.getParent().getParent(), List.of(TestTools.java(),
                "-Dusher.sample.port=0", "-Dusher.sample.data-dir=" + data.resolve("db"), "-Dusher.ingest.dir=" + data.resolve("live"),
                "-Dusher.revocation.check-interval=1s", "-Dusher.trusted-proxies=127.0.0.1/32", "-jar", jar.toString()));
        String ready = runner.await(l -> l.startsWith("Usher sample listening on "), l -> false, Duration.ofSeconds(60));
        base = URI.create(ready.substring("Usher sample listening on ".length()).trim());

        Path shots = jar.getParent().resolve("screenshots");
        Files.createDirectories(shots);
        Path script = Path.of(OperatorConsoleIT.class.getResource("/e2e/operator.mjs").toURI());
        String options = Json.createObjectBuilder().add("base", base.toString()).add("chromium", Tools.chromium().toString())
                .add("ffmpeg", Tools.ffmpeg()).add("screenshots", shots.toString()).add("otherAddress", OTHER_ADDRESS)
                .build().toString();
        ProcessBuilder pb = new ProcessBuilder(Tools.node(), script.toString(), options).directory(data.toFile());
        pb.environment().put("USHER_NODE_MODULES", Tools.nodeModules().toString());
        Path err = Files.createTempFile("usher-console-e2e", ".log");
        pb.redirectError(err.toFile());
        Process node = pb.start();
        byte[] out = node.getInputStream().readAllBytes();
        if (!node.waitFor(4, TimeUnit.MINUTES)) {
            node.destroyForcibly();
            fail("the browser walk did not finish");
        }
        String json = new String(out, StandardCharsets.UTF_8).trim();
        if (json.isEmpty()) {
            fail("operator.mjs printed nothing; its stderr:\n" + Files.readString(err) + "\nserver:\n" + runner.log());
        }
        walk = Json.createReader(new StringReader(json.substring(json.lastIndexOf('\n') + 1))).readObject();
        if (!walk.isNull("harnessError")) {
            fail("the browser walk failed: " + walk.getString("harnessError") + "\nwalk: " + walk + "\nserver:\n" + runner.log());
        }
    }

    @AfterAll
    void stop() throws Exception {
        if (runner != null) {
            runner.close();
        }
    }

    @Test
    @Order(1)
    void onlyAnOperatorGetsTheConsole() throws Exception {
        SiteClient anonymous = new SiteClient(base);
        HttpResponse<String> signedOut = anonymous.get("api/operator/tickets");
        assertEquals(401, signedOut.statusCode(), signedOut.body());
        assertTrue(signedOut.body().contains("\"error\":\"not signed in\""), signedOut.body());
        HttpResponse<String> page = anonymous.get("operator.html");
        assertTrue(page.body().contains("j_security_check"), "signed out, the page asks to sign in: " + page.body());

        SiteClient alice = new SiteClient(base);
        alice.signIn("alice", "alice");
        for (String api : List.of("api/operator/tickets", "api/operator/refusals", "api/operator/live", "api/operator/viewers",
                "api/operator/recordings", "api/live/log")) {
            assertEquals(403, alice.get(api).statusCode(), "a viewer is refused " + api);
        }
        assertEquals(403, alice.get("operator.html").statusCode());
        assertFalse(alice.get("api/me").body().contains("\"operator\":true"));

        SiteClient admin = new SiteClient(base);
        admin.signIn("admin", "admin");
        assertEquals(200, admin.get("operator.html").statusCode());
        assertTrue(admin.get("api/me").body().contains("\"operator\":true"));
        HttpResponse<String> tooMany = admin.get("api/operator/tickets?size=101");
        assertEquals(400, tooMany.statusCode(), tooMany.body());
        assertTrue(tooMany.body().contains("\"field\":\"size\""), tooMany.body());
    }

    /** A change needs the console's header, JSON, and this site's Origin: another site's page can send none of them. */
    @Test
    @Order(2)
    void changesComeOnlyFromTheConsoleItself() throws Exception {
        String key = walk.getJsonObject("revoke").getString("key");
        SiteClient admin = new SiteClient(base);
        admin.signIn("admin", "admin");
        String extend = "api/operator/tickets/" + key + "/extend";
        String body = "{\"expire\":\"+9 days\"}";
        record Try(String type, int expected, String... headers) {
        }
        for (Try t : List.of(new Try("application/json", 403), new Try("text/plain", 415, "X-Usher-Console", "1"),
                new Try("application/x-www-form-urlencoded", 415, "X-Usher-Console", "1"),
                new Try("application/json", 403, "X-Usher-Console", "1", "Origin", "http://evil.example"))) {
            HttpResponse<String> r = admin.post(extend, t.type(), body, t.headers());
            assertEquals(t.expected(), r.statusCode(), t + ": " + r.body());
            assertTrue(r.body().contains("\"error\""), r.body());
        }
        HttpResponse<String> big = admin.post(extend, "application/json", "{\"expire\":\"" + "x".repeat(5000) + "\"}",
                "X-Usher-Console", "1");
        assertEquals(413, big.statusCode(), big.body());
    }

    @Test
    @Order(3)
    void theStreamUserAddedOnTheConsolePublishes() {
        JsonObject added = walk.getJsonObject("streamUser");
        assertTrue(added.getString("result").contains("2071"), added::toString);
        assertEquals("cam_user", strings(added.getJsonArray("row")).get(1), added::toString);
        List<String> published = strings(walk.getJsonArray("published"));
        assertEquals("cam", published.get(0), published::toString);
        assertEquals("publishing", published.get(1), published::toString);
        assertTrue(published.get(3).contains("segments"), "the DVR window: " + published);
        assertEquals("on", published.get(4), "the stream user records: " + published);
    }

    @Test
    @Order(4)
    void theSessionsRecordingPlaysFromItsLink() {
        List<String> recording = strings(walk.getJsonArray("recording"));
        assertEquals("cam", recording.get(1), recording::toString);
        assertTrue(recording.get(0).startsWith("cam-"), recording::toString);
        assertTrue(Double.parseDouble(recording.get(recording.size() - 1)) > 0.5, "played: " + recording);
    }

    @Test
    @Order(4)
    void aPublisherRefusalAppearsInTheConsolesPublisherLog() {
        JsonObject log = walk.getJsonObject("log");
        JsonArray rows = log.getJsonArray("rows");
        assertTrue(rows.size() > log.getInt("before"), log::toString);
        JsonObject newest = rows.getJsonObject(0);
        assertEquals("intruder", newest.getString("user"), log::toString);
        assertEquals("cam", newest.getString("stream"), log::toString);
        assertEquals("401", newest.getString("status"), log::toString);
        assertFalse(newest.getString("reason").isBlank(), log::toString);
    }

    @Test
    @Order(5)
    void theOperatorFindsAViewersTicketByUserAndVideo() {
        JsonObject found = walk.getJsonObject("tickets").getJsonObject("found");
        assertEquals("alice", found.getString("user"), found::toString);
        assertEquals("demo-live/cam", found.getString("video"), found::toString);
        assertEquals("active", found.getString("state"), found::toString);
        assertEquals(1, walk.getJsonObject("tickets").getJsonObject("page").getInt("matching"), walk.getJsonObject("tickets")::toString);
        // Its attempt log, with the reasons.
        List<List<String>> attempts = walk.getJsonArray("attempts").getValuesAs(JsonArray.class).stream().map(OperatorConsoleIT::strings).toList();
        assertFalse(attempts.isEmpty(), walk::toString);
        assertTrue(attempts.stream().anyMatch(a -> a.get(2).equals("demo-live/cam") && a.get(3).startsWith("Success")), attempts::toString);
    }

    @Test
    @Order(6)
    void extendingChangesTheExpiryShown() {
        JsonObject before = walk.getJsonObject("tickets").getJsonObject("found");
        JsonObject extend = walk.getJsonObject("extend");
        assertEquals(200, extend.getJsonObject("answer").getInt("status"), extend::toString);
        JsonObject after = extend.getJsonObject("row");
        assertFalse(before.getString("expires").equals(after.getString("expires")), "the expiry shown changed: " + extend);
        Instant was = Instant.parse(before.getString("expiresIso"));
        Instant now = Instant.parse(after.getString("expiresIso"));
        // +2 days from the click, where the ticket had the sample's +4 hours: later by well over a day.
        assertTrue(now.isAfter(was.plus(Duration.ofHours(40))), was + " -> " + now);
    }

    @Test
    @Order(7)
    void revokingTheTicketStopsTheViewersPlayback() {
        JsonObject revoke = walk.getJsonObject("revoke");
        assertEquals("revoked", revoke.getJsonObject("row").getString("state"), revoke::toString);
        JsonObject after = walk.getJsonObject("afterRevoke");
        assertFalse(after.isNull("refusal"), "alice's player made a request after the revocation and it was refused: " + after);
        assertEquals(403, after.getJsonObject("refusal").getInt("status"), after::toString);
        // From then on nothing of alice's is let in (0: a fetch the player cancelled itself, never a grant).
        for (JsonObject r : after.getJsonArray("later").getValuesAs(JsonObject.class)) {
            assertTrue(r.getInt("status") != 200 && r.getInt("status") != 206, "let in after the refusal: " + r);
        }
        // The refusal that stopped it was a child's (a live playlist reload or a segment, carrying the
        // credential): children are not written to the ticket's attempt log, the refusals chart counts
        // it as Token Revoked (theRefusalsChartShowsTheRefusedReasons).
        assertTrue(after.getJsonObject("refusal").getString("url").contains("uc="), after::toString);
        List<List<String>> attempts = after.getJsonArray("attempts").getValuesAs(JsonArray.class).stream().map(OperatorConsoleIT::strings).toList();
        assertFalse(attempts.isEmpty(), "the attempt log still shows the ticket's entries: " + after);
    }

    @Test
    @Order(8)
    void theRefusalsChartShowsTheRefusedReasons() {
        assertEquals(403, walk.getJsonObject("replayed").getInt("status"), walk::toString);
        assertEquals(403, walk.getJsonObject("wrongPass").getInt("status"), walk::toString);
        JsonObject refusals = walk.getJsonObject("refusals");
        assertFalse(refusals.containsKey("timedOut"), "the chart's totals: " + refusals);
        JsonObject totals = refusals.getJsonObject("totals");
        for (String reason : List.of("Token Revoked", "Invalid Auth Token", "credential wrong_network")) {
            assertTrue(totals.getInt(reason, 0) >= 1, reason + " in " + totals);
        }
        List<String> bars = strings(refusals.getJsonArray("bars"));
        assertTrue(bars.containsAll(List.of("Token Revoked", "Invalid Auth Token", "credential wrong_network")),
                "each reason drawn on the chart: " + bars);
    }

    @Test
    @Order(9)
    void everyConsolePageWasPhotographed() throws Exception {
        List<String> files = strings(walk.getJsonArray("screenshots"));
        for (String page : List.of("tickets", "refusals", "live", "viewers")) {
            for (String size : List.of("1280x800", "390x844")) {
                Path png = Path.of(files.stream().filter(f -> f.endsWith("operator-" + page + "-" + size + ".png")).findFirst()
                        .orElseThrow(() -> new AssertionError(page + " " + size + " not in " + files)));
                assertTrue(Files.size(png) > 10_000, png + " holds a page");
            }
        }
    }

    /**
     * Needs {@code vsn.viewercount} (issue 16's core, branch v16-core): until it is merged the command is
     * answered 0000 and these tests are skipped, saying so; from then on they must pass. Live: alice's
     * player of cam counts 1, bob's second one 2.
     */
    @Test
    @Order(10)
    void theLiveViewerCountRisesWhenASecondPlayerStarts() {
        assertCounts(walk.getJsonObject("viewers"), "demo-live/cam");
    }

    /** The same with a catalog video (hls-fmp4: a master playlist whose variants carry the credential). */
    @Test
    @Order(11)
    void theVideoViewerCountRisesWhenASecondPlayerStarts() {
        assertCounts(walk.getJsonObject("vodViewers"), "demo-vod/hls-fmp4");
    }

    private static void assertCounts(JsonObject viewers, String what) {
        assertNotNull(viewers, what);
        JsonObject first = viewers.getJsonObject("first");
        Assumptions.assumeFalse(!first.getBoolean("available") && first.getString("message", "").startsWith("Unrecognized API Command"),
                "vsn.viewercount is not served yet (" + first.getString("message", "") + "): it comes with v16-core");
        assertTrue(first.getBoolean("available"), viewers::toString);
        assertEquals(1, first.getInt("count"), what + ", alice's player: " + viewers);
        assertEquals(2, viewers.getJsonObject("second").getInt("count"), what + ", bob's player started: " + viewers);
    }

    private static List<String> strings(JsonArray a) {
        return a.getValuesAs(JsonValue.class).stream().map(v -> v instanceof JsonString s ? s.getString() : v.toString()).toList();
    }
}
