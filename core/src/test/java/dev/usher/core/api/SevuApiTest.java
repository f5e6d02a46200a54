package dev.usher.core.api;

import dev.usher.core.account.AccountRegistry;
import dev.usher.core.repository.TicketQuery;
import dev.usher.core.testing.Fixture;
import dev.usher.core.ticket.Ticket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static dev.usher.core.testing.Fixture.DEMO;
import static dev.usher.core.testing.Fixture.STEF;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SevuApiTest {

    final Fixture f = new Fixture();
    /** The ticket commands and, as every assembly serves them (issue 16), the viewer commands. */
    final SevuApi api = new SevuApi(f.service, new AccountRegistry(List.of(STEF, DEMO)), Duration.ofMinutes(5), f.clock,
            ReplayGuard.sharedOrOwn(f.repository, f.clock),
            List.of(new ViewerCommands(f.service, new dev.usher.core.viewer.InMemoryViewerStore(Duration.ofSeconds(30)))));

    /** Seed 001's request, signed with STEF's secret. */
    Map<String, Object> seedRequest() {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("command", "sevu.request");
        r.put("api_key", STEF.apiKey());
        r.put("timestamp", f.clock.instant().getEpochSecond());
        r.put("cdn", 28);
        r.put("app", "stef-chorigin");
        r.put("video", "mystream");
        r.put("pass", "unique_random_string_per_request");
        r.put("ip", "192.168.0.0/24");
        r.put("uses", 5);
        r.put("expire", "2021-08-25 01:16:39");
        return r;
    }

    Map<String, Object> command(String name, Object... fields) {
        return command(f.clock.instant(), name, fields);
    }

    /** A command of STEF's account at {@code now}, with {@code fields} as name, value pairs. */
    static Map<String, Object> command(java.time.Instant now, String name, Object... fields) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("command", name);
        r.put("api_key", STEF.apiKey());
        r.put("timestamp", now.getEpochSecond());
        r.put("cdn", 28);
        for (int i = 0; i < fields.length; i += 2) {
            r.put((String) fields[i], fields[i + 1]);
        }
        return r;
    }

    Map<String, Object> call(Map<String, Object> request) throws Exception {
        return json(api.handle(SevuClients.php(request, STEF.secret())).json());
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> json(String text) throws Exception {
        return (Map<String, Object>) Json.parse(text);
    }

    static int code(Map<String, Object> answer) {
        return ((Number) answer.get("code")).intValue();
    }

    @Test
    void theSeedRequestIsGrantedWithTheSeedTicketObject() throws Exception {
        Map<String, Object> a = call(seedRequest());
        assertEquals(2002, code(a), a::toString);
        assertEquals("ScaleEngine Virtual Usher Ticket Granted", a.get("message"));
        assertEquals("success", a.get("status"));
        assertTrue(((String) a.get("handle_time")).matches("\\d+\\.\\d{4} seconds"), a::toString);
        @SuppressWarnings("unchecked")
        Map<String, Object> t = (Map<String, Object>) a.get("ticket");
        assertEquals(List.of("key", "pass", "ip", "video", "app", "created_date", "used_date", "uses", "active"),
                new ArrayList<>(t.keySet()));
        assertTrue(((String) t.get("key")).startsWith("mystream."));
        assertEquals("unique_random_string_per_request", t.get("pass"));
        assertEquals("192.168.0.0/24", t.get("ip"));
        assertEquals("2021-08-20 12:00:00", t.get("created_date"));
        assertEquals("0000-00-00 00:00:00", t.get("used_date"));
        assertEquals("5", t.get("uses"));
        assertEquals("1", t.get("active"));
        assertEquals(List.of("code", "message", "status", "ticket", "handle_time"), new ArrayList<>(a.keySet()));
    }

    @Test
    void statusRevokeErrorlogAndSearch() throws Exception {
        String key = (String) ((Map<?, ?>) call(seedRequest()).get("ticket")).get("key");
        Map<String, Object> status = call(command("sevu.status", "key", key));
        assertEquals(2003, code(status));
        assertEquals("2021-08-25 01:16:39", ((Map<?, ?>) status.get("ticket")).get("expire_date"));
        Map<String, Object> log = call(command("sevu.errorlog", "key", key, "starttime", "2014-09-16"));
        assertEquals(2100, code(log));
        assertEquals("ScaleEngine Virtual Usher Ticket was not used", log.get("message"));
        f.service.authorize(Fixture.request(key, "wrong", "192.168.0.5", "stef-chorigin", "mystream"));
        f.service.authorize(Fixture.request(key, "unique_random_string_per_request", "192.168.0.5", "stef-chorigin", "mystream"));
        log = call(command("sevu.errorlog", "key", key));
        assertEquals(2101, code(log));
        List<?> attempts = (List<?>) log.get("attempts");
        assertEquals(2, attempts.size());
        Map<?, ?> first = (Map<?, ?>) attempts.get(0);
        assertEquals(List.of("key", "datetime", "ip", "video", "app", "appinst", "pageurl", "refurl", "success", "reason", "server"),
                new ArrayList<>(first.keySet()));
        assertEquals("Invalid Auth Token", first.get("reason"));
        assertEquals(0, ((Number) first.get("success")).intValue());
        assertEquals(1, ((List<?>) call(command("sevu.errorlog", "key", key, "success", 1)).get("attempts")).size());
        Map<String, Object> search = call(command("sevu.search", "video", "mystream"));
        assertEquals(2006, code(search));
        assertEquals(1, ((List<?>) search.get("tickets")).size());
        // The Java example's searchTickets sends an empty command with a video.
        assertEquals(2006, code(call(command("", "video", "mystream"))));
        Map<String, Object> revoked = call(command("sevu.revoke", "key", key));
        assertEquals(2005, code(revoked));
        assertEquals("0", ((Map<?, ?>) revoked.get("ticket")).get("active"));
        assertEquals(2004, code(call(command("sevu.status", "key", "nope.00000000000000.00000000"))));
    }

    @Test
    void readOnlyCommandsMayRepeatAndAMutatingRetryGetsTheFirstAnswer() throws Exception {
        // Issue 11 changed this expectation: a byte-identical retry was refused with 0013; it now
        // gets the first answer again (idempotent retry), still with no second effect.
        String request = SevuClients.php(seedRequest(), STEF.secret());
        SevuApi.Answer first = api.handle(request);
        assertEquals(ApiCode.TICKET_GRANTED, first.code());
        SevuApi.Answer again = api.handle(request);
        assertEquals(ApiCode.TICKET_GRANTED, again.code());
        first.body().remove("handle_time");
        again.body().remove("handle_time");
        assertEquals(Json.write(first.body()), Json.write(again.body()), "the same answer: same ticket, same key");
        assertEquals(1, f.service.search(STEF, new TicketQuery(null, null, 10)).size(), "no second ticket");
        String key = f.service.search(STEF, new TicketQuery(null, null, 10)).get(0).key();
        String status = SevuClients.php(command("sevu.status", "key", key), STEF.secret());
        assertEquals(ApiCode.TICKET_FOUND, api.handle(status).code());
        assertEquals(ApiCode.TICKET_FOUND, api.handle(status).code(), "byte-identical status calls in one second both succeed");
    }

    @Test
    void theSignatureMayStandAnywhereAndCarryEscapedSlashes() throws Exception {
        // org.json orders members by hash, and the Java example escapes every / after encoding.
        Map<String, Object> r = command("sevu.status", "key", "a/b");
        String unsigned = Json.write(r).replace("/", "\\/");
        String signature = SevuClients.hmacBase64(STEF.secret(), unsigned);
        String posted = unsigned.replaceFirst("\\{", "{\"signature\":\"" + signature.replace("/", "\\/") + "\",");
        assertEquals(ApiCode.TICKET_NOT_FOUND, api.handle(posted).code(), posted);
        String middle = unsigned.replaceFirst(",\"cdn\"", ",\"signature\":\"" + signature.replace("/", "\\/") + "\",\"cdn\"");
        assertEquals(ApiCode.TICKET_NOT_FOUND, api.handle(middle).code(), middle);
    }

    @Test
    void nonAsciiIsSignedAsSent() throws Exception {
        Map<String, Object> r = seedRequest();
        r.put("video", "vidéo/été.mp4");
        assertEquals(2002, code(call(r)));
        Map<String, Object> plain = seedRequest();
        plain.put("video", "vidéo/x.mp4");
        plain.put("timestamp", f.clock.instant().getEpochSecond() + 1);
        String unsigned = Json.write(plain); // UTF-8 text, no escapes: an ordinary encoder
        plain.put("signature", SevuClients.hmacBase64(STEF.secret(), unsigned));
        assertEquals(ApiCode.TICKET_GRANTED, api.handle(Json.write(plain)).code());
    }

    /** Each case: a name, a change to a valid request, the expected code. */
    record Hostile(String name, UnaryOperator<Map<String, Object>> change, boolean resign, ApiCode expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Hostile h(String name, ApiCode code, UnaryOperator<Map<String, Object>> change) {
        return new Hostile(name, change, true, code);
    }

    static Stream<Hostile> hostile() {
        return Stream.of(
                h("unknown cdn", ApiCode.CDN_AUTHORIZATION_FAILED, r -> put(r, "cdn", 999)),
                h("other account's cdn", ApiCode.CDN_AUTHORIZATION_FAILED, r -> put(r, "cdn", 158)),
                h("wrong api key", ApiCode.CDN_AUTHORIZATION_FAILED, r -> put(r, "api_key", "ZGQWNWVKOGQZYJAXNTIYMTCXOTAWMWVX")),
                h("no api key", ApiCode.CDN_AUTHORIZATION_FAILED, r -> remove(r, "api_key")),
                h("no cdn", ApiCode.CDN_AUTHORIZATION_FAILED, r -> remove(r, "cdn")),
                h("cdn and cdn_id differ", ApiCode.CDN_AUTHORIZATION_FAILED, r -> put(r, "cdn_id", 158)),
                h("cdn as a string", ApiCode.INVALID_FIELD_TYPE, r -> put(r, "cdn", "\"28\"")),
                h("timestamp 6 minutes old", ApiCode.TIMESTAMP_OUT_OF_RANGE, r -> put(r, "timestamp", ((Long) r.get("timestamp")) - 360)),
                h("timestamp 6 minutes ahead", ApiCode.TIMESTAMP_OUT_OF_RANGE, r -> put(r, "timestamp", ((Long) r.get("timestamp")) + 360)),
                h("no timestamp", ApiCode.TIMESTAMP_OUT_OF_RANGE, r -> remove(r, "timestamp")),
                // Issue 10 item 8: timestamp − now overflowed to Long.MIN_VALUE, whose Math.abs is negative.
                h("timestamp Long.MIN_VALUE + now", ApiCode.TIMESTAMP_OUT_OF_RANGE, r -> put(r, "timestamp", Long.MIN_VALUE + (Long) r.get("timestamp"))),
                h("timestamp Long.MIN_VALUE", ApiCode.TIMESTAMP_OUT_OF_RANGE, r -> put(r, "timestamp", Long.MIN_VALUE)),
                h("timestamp Long.MAX_VALUE", ApiCode.TIMESTAMP_OUT_OF_RANGE, r -> put(r, "timestamp", Long.MAX_VALUE)),
                h("errorlog seek Long.MAX_VALUE", ApiCode.TICKET_NOT_FOUND, r -> errorlog(r, "seek", Long.MAX_VALUE)),
                h("errorlog limit Long.MIN_VALUE", ApiCode.INVALID_FIELD_VALUE, r -> errorlog(r, "limit", Long.MIN_VALUE)),
                h("search limit Long.MAX_VALUE", ApiCode.INVALID_FIELD_VALUE, r -> search(r, Long.MAX_VALUE)),
                h("uses Long.MIN_VALUE", ApiCode.INVALID_FIELD_VALUE, r -> put(r, "uses", Long.MIN_VALUE)),
                h("expire +999999999 weeks", ApiCode.INVALID_FIELD_VALUE, r -> put(r, "expire", "+999999999 weeks")),
                h("timestamp as a string", ApiCode.INVALID_FIELD_TYPE, r -> put(r, "timestamp", "\"" + r.get("timestamp") + "\"")),
                h("timestamp fractional", ApiCode.INVALID_FIELD_TYPE, r -> put(r, "timestamp", r.get("timestamp") + ".5")),
                new Hostile("signature of another secret", r -> r, false, ApiCode.SIGNATURE_FAILED),
                h("unknown command", ApiCode.UNRECOGNIZED_COMMAND, r -> put(r, "command", "sevu.explode")),
                // Issue 16 made vsn.viewercount a command (it was 0000): it takes app and url only.
                h("viewer count command with a ticket's fields", ApiCode.UNKNOWN_FIELD, r -> put(r, "command", "vsn.viewercount")),
                h("no command", ApiCode.MISSING_FIELDS, r -> remove(r, "command")),
                h("no app", ApiCode.MISSING_FIELDS, r -> remove(r, "app")),
                h("no video", ApiCode.MISSING_FIELDS, r -> remove(r, "video")),
                h("no pass", ApiCode.MISSING_FIELDS, r -> remove(r, "pass")),
                h("empty pass", ApiCode.MISSING_FIELDS, r -> put(r, "pass", "")),
                h("no ip", ApiCode.MISSING_FIELDS, r -> remove(r, "ip")),
                h("no uses", ApiCode.MISSING_FIELDS, r -> remove(r, "uses")),
                h("no expire", ApiCode.MISSING_FIELDS, r -> remove(r, "expire")),
                h("uses as a string", ApiCode.INVALID_FIELD_TYPE, r -> put(r, "uses", "\"5\"")),
                h("uses zero", ApiCode.INVALID_FIELD_VALUE, r -> put(r, "uses", 0)),
                h("uses negative", ApiCode.INVALID_FIELD_VALUE, r -> put(r, "uses", -3)),
                h("uses huge", ApiCode.INVALID_FIELD_VALUE, r -> put(r, "uses", 99999999999L)),
                h("pass as a number", ApiCode.INVALID_FIELD_TYPE, r -> put(r, "pass", 1234567890)),
                h("ip a host name", ApiCode.INVALID_FIELD_VALUE, r -> put(r, "ip", "example.com")),
                h("ip bad CIDR", ApiCode.INVALID_FIELD_VALUE, r -> put(r, "ip", "10.0.0.0/33")),
                h("ip auto/40", ApiCode.INVALID_FIELD_VALUE, r -> put(r, "ip", "auto/40")),
                h("video with empty entry", ApiCode.INVALID_FIELD_VALUE, r -> put(r, "video", "a||b")),
                h("app with control char", ApiCode.INVALID_FIELD_VALUE, r -> put(r, "app", "a\u0001b")),
                h("expire in the past", ApiCode.INVALID_FIELD_VALUE, r -> put(r, "expire", "2001-01-01 00:00:00")),
                h("expire garbage", ApiCode.INVALID_FIELD_VALUE, r -> put(r, "expire", "whenever")),
                h("expire and expires differ", ApiCode.INVALID_FIELD_VALUE, r -> put(r, "expires", "+1 hour")),
                h("unknown field", ApiCode.UNKNOWN_FIELD, r -> put(r, "colour", "\"red\"")),
                h("video as an array", ApiCode.INVALID_FIELD_TYPE, r -> put(r, "video", "[\"a\"]")),
                h("video null", ApiCode.MISSING_FIELDS, r -> put(r, "video", "null")));
    }

    static Map<String, Object> put(Map<String, Object> r, String k, Object v) {
        r.put(k, v instanceof String s && !s.startsWith("\"") && !s.startsWith("[") && !s.equals("null")
                && !s.matches("-?[0-9.]+") ? s : new Raw(String.valueOf(v)));
        return r;
    }

    static Map<String, Object> errorlog(Map<String, Object> r, String field, long value) {
        for (String k : List.of("app", "video", "pass", "ip", "uses", "expire")) {
            r.remove(k);
        }
        r.put("command", "sevu.errorlog");
        r.put("key", "no.such.key");
        return put(r, field, value);
    }

    static Map<String, Object> search(Map<String, Object> r, long limit) {
        for (String k : List.of("app", "video", "pass", "ip", "uses", "expire")) {
            r.remove(k);
        }
        r.put("command", "sevu.search");
        return put(r, "limit", limit);
    }

    static Map<String, Object> remove(Map<String, Object> r, String k) {
        r.remove(k);
        return r;
    }

    /** A value written into the JSON as is. */
    record Raw(String json) {
        @Override
        public String toString() {
            return json;
        }
    }

    /** Issue 10 item 8: the overflowing timestamp answered 0004 and logged a SEVERE stack trace. */
    @Test
    void anOverflowingTimestampIsOutOfRangeAndLogsNoError() throws Exception {
        java.util.logging.Logger logger = java.util.logging.Logger.getLogger("dev.usher.api");
        List<java.util.logging.LogRecord> severe = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Handler handler = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord record) {
                if (record.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue()) {
                    severe.add(record);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        java.util.logging.Level before = logger.getLevel();
        logger.setLevel(java.util.logging.Level.ALL);
        logger.addHandler(handler);
        try {
            for (long t : new long[] {Long.MIN_VALUE + f.clock.instant().getEpochSecond(), Long.MIN_VALUE, Long.MAX_VALUE,
                    Long.MIN_VALUE + f.clock.instant().getEpochSecond() - 300}) {
                Map<String, Object> r = seedRequest();
                r.put("timestamp", t);
                Map<String, Object> answer = call(r);
                assertEquals(ApiCode.TIMESTAMP_OUT_OF_RANGE.code(), code(answer), answer::toString);
            }
        } finally {
            logger.removeHandler(handler);
            logger.setLevel(before);
        }
        assertEquals(List.of(), severe.stream().map(java.util.logging.LogRecord::getMessage).toList(), "nothing logged as a fault");
        assertEquals(List.of(), f.service.search(STEF, new TicketQuery(null, null, 10)), "nothing stored");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostile")
    void hostileRequestsFailWithTheirCodeAndChangeNothing(Hostile c) throws Exception {
        Ticket existing = f.service.issue(STEF, dev.usher.core.service.IssueRequest.of("a", "v", "passpasspass", "auto", 1, "+1 hour"));
        Map<String, Object> r = c.change().apply(seedRequest());
        String body = SevuClients.php(r, c.resign() ? STEF.secret() : DEMO.secret());
        SevuApi.Answer a = api.handle(body);
        assertEquals(c.expected(), a.code(), a::json);
        Map<String, Object> answer = json(a.json());
        assertEquals("failure", answer.get("status"));
        assertTrue(((String) answer.get("message")).startsWith(c.expected().message()), a::json);
        assertEquals(List.of(existing.key()), f.service.search(STEF, new TicketQuery(null, null, 10)).stream().map(Ticket::key).toList(),
                "nothing stored");
        assertEquals(List.of(), f.service.search(DEMO, new TicketQuery(null, null, 10)));
    }

    static Stream<String> malformed() {
        return Stream.of("", "   ", "not json", "[1,2]", "{\"command\":", "{\"a\":1,\"a\":2}", "{\"a\":1} trailing",
                "{\"a\":\"\\ud800\"}", "{\"a\":\"\u0001\"}", "{".repeat(40) + "}".repeat(40), "{\"a\":01}",
                "{\"a\":1e99999}", "x".repeat(SevuApi.MAX_JSON + 1));
    }

    @ParameterizedTest
    @MethodSource("malformed")
    void malformedJsonIsAFailureNeverAnException(String body) throws Exception {
        SevuApi.Answer a = api.handle(body);
        assertFalse(a.code().success(), a::json);
        assertEquals("failure", json(a.json()).get("status"));
    }
}
