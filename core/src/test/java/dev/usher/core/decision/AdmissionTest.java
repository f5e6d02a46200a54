package dev.usher.core.decision;

import dev.usher.core.attempt.Attempt;
import dev.usher.core.service.IssueRequest;
import dev.usher.core.testing.Fixture;
import dev.usher.core.ticket.Ticket;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static dev.usher.core.testing.Fixture.STEF;
import static dev.usher.core.testing.Fixture.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The playback decision, rule by rule, on the seeds' examples. */
class AdmissionTest {

    private final Fixture f = new Fixture();

    /** Seed 001's PHP example, with an expiry after the fixture's clock. */
    private Ticket seedTicket() {
        return f.service.issue(STEF, IssueRequest.of("stef-chorigin", "mystream", "unique_random_string_per_request",
                "192.168.0.0/24", 5, "2021-08-25 01:16:39"));
    }

    private Reason decide(Ticket t, String pass, String client, String app, String video) {
        return f.service.authorize(request(t.key(), pass, client, app, video)).reason();
    }

    @Test
    void seedTicketAdmitsItsSubnetAppAndStream() {
        Ticket t = seedTicket();
        Decision d = f.service.authorize(request(t.key(), t.pass(), "192.168.0.77", "stef-chorigin", "mystream"));
        assertEquals(Reason.SUCCESS, d.reason());
        assertTrue(d.newPlayback());
        assertEquals(4, d.ticket().uses());
        assertEquals(f.clock.instant(), d.ticket().usedDate());
    }

    @Test
    void eachRuleRefusesWithItsSeedReason() {
        Ticket t = seedTicket();
        String pass = t.pass();
        assertEquals(Reason.INVALID_AUTH_TOKEN, decide(t, pass + "x", "192.168.0.1", "stef-chorigin", "mystream"));
        assertEquals(Reason.INVALID_AUTH_TOKEN, decide(t, "", "192.168.0.1", "stef-chorigin", "mystream"));
        assertEquals(Reason.INVALID_AUTH_TOKEN, f.service.authorize(
                request("mystream.00000000000000.00000000", pass, "192.168.0.1", "stef-chorigin", "mystream")).reason());
        assertEquals(Reason.WRONG_APPLICATION, decide(t, pass, "192.168.0.1", "stef-other", "mystream"));
        assertEquals(Reason.INVALID_IP_ADDRESS, decide(t, pass, "192.168.1.1", "stef-chorigin", "mystream"));
        assertEquals(Reason.VIDEO_NOT_AUTHORIZED, decide(t, pass, "192.168.0.1", "stef-chorigin", "otherstream"));
        assertEquals(5, f.service.status(STEF, t.key()).orElseThrow().uses(), "refusals consume nothing");
        f.service.revoke(STEF, t.key());
        assertEquals(Reason.TOKEN_REVOKED, decide(t, pass, "192.168.0.1", "stef-chorigin", "mystream"));
    }

    /**
     * The pass is compared as the text it is: a pass holding an unpaired surrogate (a JSON
     * {@code \ud800} escape is a valid issue request) is not opened by the same pass with {@code ?}
     * in its place, which is what its UTF-8 bytes read as.
     */
    @Test
    void aPassIsNotOpenedByTheTextItsBytesReadAs() {
        Ticket t = f.service.issue(STEF, IssueRequest.of("stef-chorigin", "mystream", "secret-\ud800-pass",
                "192.168.0.0/24", 5, "2021-08-25 01:16:39"));
        assertEquals(Reason.INVALID_AUTH_TOKEN, decide(t, "secret-?-pass", "192.168.0.1", "stef-chorigin", "mystream"));
        assertEquals(5, f.service.status(STEF, t.key()).orElseThrow().uses());
        assertEquals(Reason.SUCCESS, decide(t, "secret-\ud800-pass", "192.168.0.1", "stef-chorigin", "mystream"));
    }

    @Test
    void expiryIsCheckedAtTheSecondItPasses() {
        Ticket t = seedTicket();
        f.clock.set(t.expires().minusSeconds(1));
        assertEquals(Reason.SUCCESS, decide(t, t.pass(), "192.168.0.1", "stef-chorigin", "mystream"));
        f.clock.set(t.expires());
        assertEquals(Reason.EXPIRED, decide(t, t.pass(), "192.168.0.1", "stef-chorigin", "mystream"));
    }

    @Test
    void theFirstFailingRuleInSeedOrderIsTheReason() {
        Ticket t = f.service.issue(STEF, IssueRequest.of("stef-app", "mystream", "passpasspass", "10.0.0.0/8", 1, "+1 hour"));
        // Wrong everything after the pass: revoked wins over expiry, app, uses, ip and video.
        f.service.authorize(request(t.key(), t.pass(), "10.0.0.1", "stef-app", "mystream")); // uses now 0
        f.service.revoke(STEF, t.key());
        f.clock.advance(Duration.ofHours(2));
        assertEquals(Reason.TOKEN_REVOKED, decide(t, t.pass(), "11.0.0.1", "x", "y"));
        // Wrong pass beats all of them.
        assertEquals(Reason.INVALID_AUTH_TOKEN, decide(t, "nope", "11.0.0.1", "x", "y"));
    }

    @Test
    void wrongAppBeatsUsesIpAndVideo() {
        Ticket t = f.service.issue(STEF, IssueRequest.of("stef-app", "mystream", "passpasspass", "10.0.0.0/8", 1, "+1 hour"));
        assertEquals(Reason.SUCCESS, decide(t, t.pass(), "10.0.0.1", "stef-app", "mystream"));
        assertEquals(Reason.WRONG_APPLICATION, decide(t, t.pass(), "11.0.0.1", "x", "y"));
        assertEquals(Reason.EXCEEDED_MAX_VIEWS, decide(t, t.pass(), "11.0.0.1", "stef-app", "y"));
    }

    @Test
    void invalidIpBeatsVideo() {
        Ticket t = f.service.issue(STEF, IssueRequest.of("stef-app", "mystream", "passpasspass", "10.0.0.0/8", 3, "+1 hour"));
        assertEquals(Reason.INVALID_IP_ADDRESS, decide(t, t.pass(), "11.0.0.1", "stef-app", "y"));
    }

    @Test
    void onePlaybackConsumesOneUseWhateverItsRequestCount() {
        Ticket t = f.service.issue(STEF, IssueRequest.of("stef-vod", "movies/trailer.mp4", "passpasspass", "0.0.0.0/0", 2, "+1 day"));
        for (int i = 0; i < 20; i++) { // Range requests, a seek a few minutes later, another
            Decision d = f.service.authorize(request(t.key(), t.pass(), "203.0.113.9", "stef-vod", "movies/trailer.mp4"));
            assertEquals(Reason.SUCCESS, d.reason());
            assertEquals(i == 0, d.newPlayback());
            f.clock.advance(Duration.ofMinutes(3));
        }
        assertEquals(1, f.service.status(STEF, t.key()).orElseThrow().uses());
    }

    @Test
    void aPlaybackEndsAfterTheWindowWithoutRequests() {
        Ticket t = f.service.issue(STEF, IssueRequest.of("stef-vod", "a.mp4", "passpasspass", "0.0.0.0/0", 2, "+1 day"));
        assertTrue(f.service.authorize(request(t.key(), t.pass(), "203.0.113.9", "stef-vod", "a.mp4")).newPlayback());
        f.clock.advance(f.settings.playbackWindow().minusSeconds(1));
        assertFalse(f.service.authorize(request(t.key(), t.pass(), "203.0.113.9", "stef-vod", "a.mp4")).newPlayback());
        f.clock.advance(f.settings.playbackWindow());
        Decision again = f.service.authorize(request(t.key(), t.pass(), "203.0.113.9", "stef-vod", "a.mp4"));
        assertTrue(again.newPlayback());
        assertEquals(0, again.ticket().uses());
        f.clock.advance(f.settings.playbackWindow());
        assertEquals(Reason.EXCEEDED_MAX_VIEWS, decide(t, t.pass(), "203.0.113.9", "stef-vod", "a.mp4"));
    }

    @Test
    void anotherVideoOrAnotherClientIsAnotherPlayback() {
        Ticket t = f.service.issue(STEF, IssueRequest.of("stef-vod", "a.mp4|b.mp4", "passpasspass", "0.0.0.0/0", 3, "+1 day"));
        assertTrue(f.service.authorize(request(t.key(), t.pass(), "203.0.113.9", "stef-vod", "a.mp4")).newPlayback());
        assertTrue(f.service.authorize(request(t.key(), t.pass(), "203.0.113.9", "stef-vod", "b.mp4")).newPlayback());
        assertTrue(f.service.authorize(request(t.key(), t.pass(), "203.0.113.10", "stef-vod", "a.mp4")).newPlayback());
        assertEquals(Reason.EXCEEDED_MAX_VIEWS, decide(t, t.pass(), "203.0.113.11", "stef-vod", "a.mp4"));
        // The open playbacks go on although no use is left.
        assertEquals(Reason.SUCCESS, decide(t, t.pass(), "203.0.113.9", "stef-vod", "b.mp4"));
        assertEquals(Reason.SUCCESS, decide(t, t.pass(), "203.0.113.10", "stef-vod", "a.mp4"));
    }

    @Test
    void aPlaybackEndsWhenTheTicketIsRevokedOrExpires() {
        Ticket t = f.service.issue(STEF, IssueRequest.of("stef-vod", "a.mp4", "passpasspass", "0.0.0.0/0", 3, "+1 hour"));
        assertEquals(Reason.SUCCESS, decide(t, t.pass(), "203.0.113.9", "stef-vod", "a.mp4"));
        f.service.revoke(STEF, t.key());
        assertEquals(Reason.TOKEN_REVOKED, decide(t, t.pass(), "203.0.113.9", "stef-vod", "a.mp4"));
    }

    @Test
    void autoBindsTheFirstClientAndOnlyOnAGrant() {
        Ticket t = f.service.issue(STEF, IssueRequest.of("stef-vod", "a.mp4", "passpasspass", "auto", 5, "+1 hour"));
        // A refusal for the video must not bind the slot.
        assertEquals(Reason.VIDEO_NOT_AUTHORIZED, decide(t, t.pass(), "198.51.100.1", "stef-vod", "b.mp4"));
        assertEquals(0, f.service.status(STEF, t.key()).orElseThrow().ip().boundCount());
        assertEquals(Reason.SUCCESS, decide(t, t.pass(), "198.51.100.2", "stef-vod", "a.mp4"));
        assertEquals(Reason.INVALID_IP_ADDRESS, decide(t, t.pass(), "198.51.100.1", "stef-vod", "a.mp4"));
        assertEquals(Reason.SUCCESS, decide(t, t.pass(), "198.51.100.2", "stef-vod", "a.mp4"));
    }

    @Test
    void autoSlash24LetsTheFirstTwoSubnetsIn() {
        Ticket t = f.service.issue(STEF, IssueRequest.of("stef-live", "mystream", "passpasspass", "auto/24|auto/24", 10, "+1 hour"));
        assertEquals(Reason.SUCCESS, decide(t, t.pass(), "198.51.100.1", "stef-live", "mystream"));
        assertEquals(Reason.SUCCESS, decide(t, t.pass(), "198.51.100.200", "stef-live", "mystream")); // same /24, same playback
        assertEquals(Reason.SUCCESS, decide(t, t.pass(), "203.0.113.5", "stef-live", "mystream"));
        assertEquals(Reason.INVALID_IP_ADDRESS, decide(t, t.pass(), "192.0.2.5", "stef-live", "mystream"));
        Ticket after = f.service.status(STEF, t.key()).orElseThrow();
        assertEquals(2, after.ip().boundCount());
        assertEquals("auto/24|auto/24", after.ip().text(), "the rule text is reported as issued");
        assertEquals(8, after.uses());
    }

    @Test
    void autoForAnIpv6ClientBindsItsSlash64() {
        Ticket t = f.service.issue(STEF, IssueRequest.of("stef-live", "mystream", "passpasspass", "auto", 10, "+1 hour"));
        assertEquals(Reason.SUCCESS, decide(t, t.pass(), "2001:db8:1:2::10", "stef-live", "mystream"));
        assertEquals(Reason.SUCCESS, decide(t, t.pass(), "2001:db8:1:2:aaaa::1", "stef-live", "mystream"));
        assertEquals(Reason.INVALID_IP_ADDRESS, decide(t, t.pass(), "2001:db8:1:3::10", "stef-live", "mystream"));
        assertEquals(Reason.INVALID_IP_ADDRESS, decide(t, t.pass(), "198.51.100.1", "stef-live", "mystream"));
    }

    @Test
    void anyAddressMeansBothFamilies() {
        Ticket t = f.service.issue(STEF, IssueRequest.of("stef-live", "mystream", "passpasspass", "0.0.0.0/0", 10, "+1 hour"));
        assertEquals(Reason.SUCCESS, decide(t, t.pass(), "2001:db8::1", "stef-live", "mystream"));
        assertEquals(Reason.SUCCESS, decide(t, t.pass(), "8.8.8.8", "stef-live", "mystream"));
    }

    @Test
    void seedVideoAndAppPatterns() {
        Ticket t = f.service.issue(STEF, IssueRequest.of("myapp-vod|otherapp-*", "mystream_*|file1.mp4|sestore3/username/set1/*",
                "passpasspass", "0.0.0.0/0", 100, "+1 hour"));
        assertEquals(Reason.SUCCESS, decide(t, t.pass(), "1.1.1.1", "myapp-vod", "mystream_720p"));
        assertEquals(Reason.SUCCESS, decide(t, t.pass(), "1.1.1.1", "otherapp-live", "mystream_360p"));
        assertEquals(Reason.SUCCESS, decide(t, t.pass(), "1.1.1.1", "myapp-vod", "file1.mp4"));
        assertEquals(Reason.SUCCESS, decide(t, t.pass(), "1.1.1.1", "myapp-vod", "sestore3/username/set1/deep/x.mp4"));
        assertEquals(Reason.VIDEO_NOT_AUTHORIZED, decide(t, t.pass(), "1.1.1.1", "myapp-vod", "file2.mp4"));
        assertEquals(Reason.VIDEO_NOT_AUTHORIZED, decide(t, t.pass(), "1.1.1.1", "myapp-vod", "sestore3/username/set2/x.mp4"));
        assertEquals(Reason.WRONG_APPLICATION, decide(t, t.pass(), "1.1.1.1", "myapp-live", "file1.mp4"));
    }

    @Test
    void aTicketNamingTheManifestItselfIsHonoured() {
        Ticket t = f.service.issue(STEF, IssueRequest.of("live", "mystream/playlist.m3u8", "passpasspass", "0.0.0.0/0", 1, "+1 hour"));
        Decision d = f.service.authorize(new PlaybackRequest(t.key(), t.pass(), dev.usher.core.net.IpAddress.parse("1.1.1.1"),
                "live", "mystream", "mystream/playlist.m3u8", null, null, null));
        assertEquals(Reason.SUCCESS, d.reason());
    }

    @Test
    void everyDecisionOnAKnownKeyIsLoggedWithTheSeedFields() {
        Ticket t = seedTicket();
        f.service.authorize(new PlaybackRequest(t.key(), "wrong", dev.usher.core.net.IpAddress.parse("192.168.0.9"),
                "stef-chorigin", "mystream", null, null, "https://site.example/watch", "https://site.example/"));
        f.clock.advance(Duration.ofSeconds(5));
        f.service.authorize(request(t.key(), t.pass(), "192.168.0.9", "stef-chorigin", "mystream"));
        f.service.authorize(request("unknown.00000000000000.00000000", "x", "192.168.0.9", "stef-chorigin", "mystream"));

        List<Attempt> log = f.service.errorlog(STEF, t.key(), null).orElseThrow();
        assertEquals(2, log.size());
        Attempt first = log.get(0);
        assertEquals(t.key(), first.key());
        assertEquals("192.168.0.9", first.ip());
        assertEquals("mystream", first.video());
        assertEquals("stef-chorigin", first.app());
        assertEquals(PlaybackRequest.DEFAULT_INSTANCE, first.appinst());
        assertEquals("https://site.example/watch", first.pageurl());
        assertEquals("https://site.example/", first.refurl());
        assertFalse(first.success());
        assertEquals("Invalid Auth Token", first.reason().text());
        assertEquals("test-node", first.server());
        assertTrue(log.get(1).success());
        assertEquals("Success", log.get(1).reason().text());

        String starttime = f.service.time().format(f.clock.instant());
        assertEquals(1, f.service.errorlog(STEF, t.key(), starttime).orElseThrow().size());
        assertEquals(0, f.service.errorlog(STEF, t.key(), "2099-01-01").orElseThrow().size());
    }

    @Test
    void theDecisionCarriesTheNetworkTheCredentialIsScopedTo() {
        Ticket t = f.service.issue(STEF, IssueRequest.of("live", "s", "passpasspass", "auto/24", 5, "+1 hour"));
        Decision d = f.service.authorize(request(t.key(), t.pass(), "198.51.100.7", "live", "s"));
        assertNotNull(d.clientNetwork());
        assertEquals("198.51.100.0/24", d.clientNetwork().toString());
        assertNull(f.service.authorize(request(t.key(), "bad", "198.51.100.7", "live", "s")).clientNetwork());
    }
}
