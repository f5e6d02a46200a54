package dev.usher.core.http;

import dev.usher.core.credential.PlaybackCredentials;
import dev.usher.core.guard.MediaGuard;
import dev.usher.core.media.MediaPath;
import dev.usher.core.service.IssueRequest;
import dev.usher.core.service.RevocationWatch;
import dev.usher.core.testing.Fixture;
import dev.usher.core.ticket.Ticket;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * What the HTTP policy asks of a request: an entry's {@code Referer} is its logged {@code pageurl};
 * a child (a credential, no key) is decided from its credential alone, so the segment path does not
 * search a request's headers for a page it never logs.
 */
class MediaAdmissionTest {

    final Fixture f = new Fixture();
    final MediaAdmission admission = new MediaAdmission(
            new MediaGuard(f.service, PlaybackCredentials.of("k1", PlaybackCredentials.newSecret()),
                    new RevocationWatch(f.repository, Duration.ofHours(6)), Duration.ofHours(6)),
            new ClientAddressResolver(List.of()), new ManifestRewriteService(1 << 20, 4));

    /** A request with this query and a {@code Referer}, that notes every header asked of it. */
    static final class Request implements MediaRequestView {
        final String query;
        final List<String> asked = new ArrayList<>();

        Request(String query) {
            this.query = query;
        }

        @Override
        public String rawQuery() {
            return query;
        }

        @Override
        public List<String> headers(String name) {
            asked.add(name);
            return name.equals("Referer") ? List.of("https://example.com/page") : List.of();
        }

        @Override
        public String header(String name) {
            asked.add(name);
            return name.equals("Referer") ? "https://example.com/page" : null;
        }
    }

    @Test
    void aChildIsDecidedWithoutReadingItsHeaders() {
        Ticket t = f.service.issue(Fixture.STEF, IssueRequest.of("stef-live", "show", "pass-1", "0.0.0.0/0", 5, "+1 day"));
        Request entry = new Request("key=" + t.key() + "&pass=pass-1");
        Admission granted = admission.admit(MediaPath.of("stef-live", "show/index.m3u8"), "198.51.100.7", entry);
        Admission.Granted manifest = assertInstanceOf(Admission.Granted.class, granted);
        manifest.close();
        assertEquals(List.of("Referer"), entry.asked, "an entry logs its page");

        Request child = new Request(PlaybackCredentials.PARAMETER + "=" + manifest.credential());
        Admission segment = admission.admit(MediaPath.of("stef-live", "show/seg_000.ts"), "198.51.100.7", child);
        assertInstanceOf(Admission.Granted.class, segment);
        assertEquals(List.of(), child.asked, "a child's headers are not searched on every segment");
    }
}
