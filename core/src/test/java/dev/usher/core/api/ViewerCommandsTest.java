package dev.usher.core.api;

import dev.usher.core.account.AccountRegistry;
import dev.usher.core.net.IpNetwork;
import dev.usher.core.service.IssueRequest;
import dev.usher.core.testing.Fixture;
import dev.usher.core.ticket.Ticket;
import dev.usher.core.viewer.Format;
import dev.usher.core.viewer.InMemoryViewerStore;
import dev.usher.core.viewer.Sighting;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.usher.core.testing.Fixture.DEMO;
import static dev.usher.core.testing.Fixture.STEF;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@code vsn.viewercount} and {@code sevu.viewers} over a viewer store the test fills (issue 16). */
class ViewerCommandsTest {

    static final IpNetwork V4 = IpNetwork.parse("198.51.100.7");
    static final IpNetwork V6 = IpNetwork.parse("2001:db8::7");

    final Fixture f = new Fixture();
    final InMemoryViewerStore viewers = new InMemoryViewerStore(Duration.ofSeconds(30));
    final SevuApi api = new SevuApi(f.service, new AccountRegistry(List.of(STEF, DEMO)), Duration.ofMinutes(5), f.clock,
            ReplayGuard.sharedOrOwn(f.repository, f.clock), List.of(new ViewerCommands(f.service, viewers)));

    void seen(String player, String ticket, String app, String video, Format format, IpNetwork network) {
        viewers.seen(new Sighting(player, ticket, app, video, format, network), f.clock.instant());
    }

    void audience() {
        seen("p1", "t1", "stef-live", "cam1", Format.HLS, V4);
        seen("p2", "t1", "stef-live", "cam1", Format.DASH, V6);
        seen("p3", "t2", "stef-live", "cam2", Format.HLS, V4);
        seen("p4", "t3", "stef-vod", "movies/trailer.mp4", Format.MP4, V4);
        seen("p5", "t4", "demo-live", "cam1", Format.HLS, V4); // another account's
    }

    Map<String, Object> request(String name, Object... fields) {
        return SevuApiTest.command(f.clock.instant(), name, fields);
    }

    Map<String, Object> call(Map<String, Object> request) throws Exception {
        return SevuApiTest.json(api.handle(SevuClients.php(request, STEF.secret())).json());
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> rows(Map<String, Object> answer) {
        assertEquals(2080, SevuApiTest.code(answer), answer::toString);
        return (List<Map<String, Object>>) answer.get("data");
    }

    static int n(Map<String, Object> row, String... path) {
        Object v = row;
        for (String p : path) {
            v = ((Map<?, ?>) v).get(p);
        }
        return ((Number) v).intValue();
    }

    @Test
    void oneRowPerItemWithTheTotalOnEachRow() throws Exception {
        audience();
        Map<String, Object> answer = call(request("vsn.viewercount", "app", "stef-live", "url", "cam1|cam2|nothing"));
        assertEquals("Viewer counts found", answer.get("message"));
        List<Map<String, Object>> rows = rows(answer);
        assertEquals(3, rows.size());
        assertEquals(List.of("app", "url", "count", "total", "viewer_count", "viewer_count_sum", "formats", "networks"),
                new ArrayList<>(rows.get(0).keySet()));
        assertEquals(List.of("cam1", "cam2", "nothing"), rows.stream().map(r -> r.get("url")).toList());
        assertEquals(List.of(2, 1, 0), rows.stream().map(r -> n(r, "count")).toList());
        for (Map<String, Object> r : rows) {
            assertEquals("stef-live", r.get("app"));
            assertEquals(3, n(r, "total"));
            assertEquals(3, n(r, "viewer_count_sum"));
            assertEquals(n(r, "count"), n(r, "viewer_count"));
        }
        Map<String, Object> cam1 = rows.get(0);
        assertEquals(Map.of("hls", 1, "dash", 1, "mp4", 0, "other", 0), intMap(cam1.get("formats")));
        assertEquals(Map.of("ipv4", 1, "ipv6", 1), intMap(cam1.get("networks")));
    }

    @Test
    void rootWildcardsAndAppLists() throws Exception {
        audience();
        List<Map<String, Object>> root = rows(call(request("vsn.viewercount", "app", "stef-live", "url", "_root_")));
        assertEquals(1, root.size());
        assertEquals("_root_", root.get(0).get("url"));
        assertEquals(3, n(root.get(0), "count"));
        assertEquals(3, n(rows(call(request("vsn.viewercount", "app", "stef-live", "url", "cam*"))).get(0), "count"));
        List<Map<String, Object>> all = rows(call(request("vsn.viewercount", "app", "stef-*", "url", "_root_")));
        assertEquals(4, n(all.get(0), "count"), "both apps, not the other account's demo-live");
        assertEquals(1, n(all.get(0), "formats", "mp4"));
        assertEquals(4, n(rows(call(request("vsn.viewercount", "app", "stef-live|stef-vod", "url", "*"))).get(0), "total"));
        assertEquals(1, n(rows(call(request("vsn.viewercount", "app", "stef-vod", "url", "movies/*"))).get(0), "count"));
    }

    @Test
    void noViewersIsOneRowOfZeros() throws Exception {
        List<Map<String, Object>> rows = rows(call(request("vsn.viewercount", "app", "stef-live", "url", "cam1")));
        assertEquals(1, rows.size());
        assertEquals(0, n(rows.get(0), "count"));
        assertEquals(0, n(rows.get(0), "total"));
        audience();
        f.clock.advance(Duration.ofSeconds(30));
        assertEquals(0, n(rows(call(request("vsn.viewercount", "app", "stef-live", "url", "_root_"))).get(0), "count"),
                "none after the window");
    }

    @Test
    void anotherAccountsAppMissingFieldsAndBadPatterns() throws Exception {
        audience();
        Map<String, Object> other = call(request("vsn.viewercount", "app", "demo-live", "url", "_root_"));
        assertEquals(1, SevuApiTest.code(other), other::toString);
        assertEquals("app", other.get("field"));
        assertEquals(1, SevuApiTest.code(call(request("vsn.viewercount", "app", "*", "url", "_root_"))), "beyond the namespace");
        assertEquals(1, SevuApiTest.code(call(request("vsn.viewercount", "app", "stef-live|demo-*", "url", "_root_"))));
        assertEquals(6, SevuApiTest.code(call(request("vsn.viewercount", "app", "stef-live"))));
        assertEquals(6, SevuApiTest.code(call(request("vsn.viewercount", "url", "_root_"))));
        assertEquals(6, SevuApiTest.code(call(request("vsn.viewercount", "app", "", "url", "cam1"))));
        assertEquals(12, SevuApiTest.code(call(request("vsn.viewercount", "app", "stef-live", "url", "cam1||cam2"))));
        assertEquals(14, SevuApiTest.code(call(request("vsn.viewercount", "app", "stef-live", "url", "cam1", "video", "x"))));
    }

    @Test
    void notMutatingTheSameSignedRequestTwiceGivesTheSameAnswer() throws Exception {
        audience();
        String signed = SevuClients.php(request("vsn.viewercount", "app", "stef-live", "url", "cam1"), STEF.secret());
        Map<String, Object> first = SevuApiTest.json(api.handle(signed).json());
        Map<String, Object> second = SevuApiTest.json(api.handle(signed).json());
        first.remove("handle_time");
        second.remove("handle_time");
        assertEquals(2080, SevuApiTest.code(second));
        assertEquals(first, second);
        seen("p9", "t9", "stef-live", "cam1", Format.HLS, V4);
        assertEquals(3, n(rows(SevuApiTest.json(api.handle(signed).json())).get(0), "count"), "run again, not replayed");
    }

    @Test
    void aTicketsViewers() throws Exception {
        Ticket t = f.service.issue(STEF, IssueRequest.of("stef-live", "cam1", "pass-1", "0.0.0.0/0", 5, "+1 day"));
        seen("a", t.key(), "stef-live", "cam1", Format.HLS, V4);
        seen("b", t.key(), "stef-live", "cam1", Format.HLS, V4);
        f.clock.advance(Duration.ofSeconds(20));
        seen("a", t.key(), "stef-live", "cam1", Format.HLS, V4);
        f.clock.advance(Duration.ofSeconds(15));
        Map<String, Object> answer = call(request("sevu.viewers", "key", t.key()));
        assertEquals(2081, SevuApiTest.code(answer), answer::toString);
        assertEquals("Ticket viewers found", answer.get("message"));
        Map<?, ?> data = (Map<?, ?>) answer.get("data");
        assertEquals(List.of("key", "active", "playbacks", "viewer_minutes"), new ArrayList<>(data.keySet()));
        assertEquals(t.key(), data.get("key"));
        assertEquals(1, ((Number) data.get("active")).intValue());
        assertEquals(2, ((Number) data.get("playbacks")).intValue());
        assertEquals(new BigDecimal("0.3"), new BigDecimal(data.get("viewer_minutes").toString()), "20 s of a, 0 of b");

        Ticket theirs = f.service.issue(DEMO, IssueRequest.of("demo-live", "cam1", "pass-1", "0.0.0.0/0", 5, "+1 day"));
        assertEquals(2004, SevuApiTest.code(call(request("sevu.viewers", "key", theirs.key()))), "another account's ticket");
        assertEquals(2004, SevuApiTest.code(call(request("sevu.viewers", "key", "nothing.1.2"))));
        assertEquals(6, SevuApiTest.code(call(request("sevu.viewers"))));
    }

    private static Map<String, Integer> intMap(Object o) {
        Map<String, Integer> out = new LinkedHashMap<>();
        ((Map<?, ?>) o).forEach((k, v) -> out.put((String) k, ((Number) v).intValue()));
        return out;
    }
}
