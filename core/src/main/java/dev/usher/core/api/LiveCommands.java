package dev.usher.core.api;

import dev.usher.core.log.LogText;

import dev.usher.core.account.Account;
import dev.usher.core.live.PublisherLog;
import dev.usher.core.live.StreamUser;
import dev.usher.core.live.StreamUserException;
import dev.usher.core.live.StreamUserRequest;
import dev.usher.core.live.StreamUsers;
import dev.usher.core.time.SevuTime;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The live commands of the SEVU API: {@code sevu.addstreamuser} (docs/PROTOCOL.md#addstreamuser) and Usher's own
 * {@code sevu.liststreamusers}, {@code sevu.removestreamuser} and {@code sevu.publishlog}. Called by
 * {@link SevuApi} after the account, timestamp, signature, field names and replay were checked.
 */
public final class LiveCommands implements CommandGroup {

    static final Commands COMMANDS = new Commands(Map.of(
            "sevu.addstreamuser", Set.of("app", "stream", "user", "pass", "record", "record_type", "segment_type",
                    "segment_value", "save_folder", "playlist_count", "playlist_timeout", "enable_dvr", "ga_key"),
            "sevu.liststreamusers", Set.of("app"),
            "sevu.removestreamuser", Set.of("app", "stream"),
            "sevu.publishlog", Set.of("app", "stream", "limit")),
            Set.of("sevu.addstreamuser", "sevu.removestreamuser"));

    public static final int MAX_LOG_ENTRIES = 1000;

    private final StreamUsers users;
    private final PublisherLog log;
    private final SevuTime time;

    public LiveCommands(StreamUsers users, PublisherLog log, SevuTime time) {
        this.users = users;
        this.log = log;
        this.time = time;
    }

    public StreamUsers users() {
        return users;
    }

    public PublisherLog log() {
        return log;
    }

    @Override
    public Commands commands() {
        return COMMANDS;
    }

    @Override
    public SevuApi.Answer handle(SignedCommand command) throws ApiFailure {
        String name = command.name();
        Account account = command.account();
        CommandFields m = command.fields();
        return switch (name) {
            case "sevu.addstreamuser" -> add(account, m);
            case "sevu.liststreamusers" -> list(account, m);
            case "sevu.removestreamuser" -> remove(account, m);
            case "sevu.publishlog" -> publishLog(account, m);
            default -> throw new IllegalStateException(name);
        };
    }

    private SevuApi.Answer add(Account account, CommandFields m) throws ApiFailure {
        m.require("app");
        m.require("stream");
        // user and pass may be null (no authentication), but they must be there.
        for (String required : List.of("user", "pass")) {
            if (!m.members().containsKey(required)) {
                throw new ApiFailure(ApiCode.MISSING_FIELDS, required, required);
            }
        }
        // Tenants apart, as for tickets: an account publishes only to apps of its own namespace.
        if (!account.ownsApp(string(m, "app"))) {
            throw new ApiFailure(ApiCode.CDN_AUTHORIZATION_FAILED, "app", "app " + LogText.safe(string(m, "app"))
                    + " is outside account " + account.cdnId() + "'s applications (" + account.apps().text() + ")");
        }
        StreamUserRequest r = new StreamUserRequest(string(m, "app"), string(m, "stream"), string(m, "user"), string(m, "pass"),
                bool(m, "record"), string(m, "record_type"), string(m, "segment_type"), segmentValue(m), string(m, "save_folder"),
                integer(m, "playlist_count"), integer(m, "playlist_timeout"), bool(m, "enable_dvr"), string(m, "ga_key"));
        try {
            users.add(account.cdnId(), r);
        } catch (StreamUserException e) {
            throw failure(e);
        }
        return new SevuApi.Answer(ApiCode.STREAM_USER_ADDED, SevuApi.success(ApiCode.STREAM_USER_ADDED));
    }

    private SevuApi.Answer list(Account account, CommandFields m) throws ApiFailure {
        List<Object> out = new ArrayList<>();
        for (StreamUser u : users.list(account.cdnId(), string(m, "app"))) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("app", u.app());
            o.put("stream", u.stream());
            o.put("user", u.user()); // never the password or its hash
            o.put("record", u.record().record());
            o.put("record_type", u.record().recordType());
            o.put("segment_type", u.record().segmentType());
            o.put("segment_value", u.record().segmentValue());
            o.put("save_folder", u.record().saveFolder());
            o.put("playlist_count", u.dvr().playlistCount());
            o.put("playlist_timeout", u.dvr().playlistTimeout().toSeconds());
            o.put("enable_dvr", u.dvr().enabled());
            o.put("ga_key", u.gaKey());
            o.put("created_date", time.format(u.created()));
            out.add(o);
        }
        Map<String, Object> body = SevuApi.success(ApiCode.STREAM_USERS_FOUND);
        body.put("stream_users", out);
        return new SevuApi.Answer(ApiCode.STREAM_USERS_FOUND, body);
    }

    private SevuApi.Answer remove(Account account, CommandFields m) throws ApiFailure {
        m.require("app");
        m.require("stream");
        try {
            users.remove(account.cdnId(), string(m, "app"), string(m, "stream"));
        } catch (StreamUserException e) {
            throw failure(e);
        }
        return new SevuApi.Answer(ApiCode.STREAM_USER_REMOVED, SevuApi.success(ApiCode.STREAM_USER_REMOVED));
    }

    private SevuApi.Answer publishLog(Account account, CommandFields m) throws ApiFailure {
        Integer limit = integer(m, "limit");
        int n = limit == null ? MAX_LOG_ENTRIES : limit;
        if (n < 1 || n > MAX_LOG_ENTRIES) {
            throw new ApiFailure(ApiCode.INVALID_FIELD_VALUE, "limit", "limit must be between 1 and " + MAX_LOG_ENTRIES);
        }
        // An account reads the log of the apps it has stream users in, no other.
        Set<String> apps = new TreeSet<>();
        users.list(account.cdnId(), null).forEach(u -> apps.add(u.app()));
        List<Object> out = new ArrayList<>();
        for (PublisherLog.Entry e : log.read(apps, string(m, "app"), string(m, "stream"), n)) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("time", time.format(e.time()));
            o.put("app", e.app());
            o.put("stream", e.stream());
            o.put("file", e.file());
            o.put("method", e.method());
            o.put("status", e.status());
            o.put("ip", e.ip());
            o.put("user", e.user());
            o.put("reason", e.reason());
            out.add(o);
        }
        Map<String, Object> body = SevuApi.success(ApiCode.PUBLISH_LOG_FOUND);
        body.put("entries", out);
        return new SevuApi.Answer(ApiCode.PUBLISH_LOG_FOUND, body);
    }

    private static ApiFailure failure(StreamUserException e) {
        ApiCode code = switch (e.kind()) {
            case SEGMENT_TYPE -> ApiCode.SEGMENT_TYPE_INVALID;
            case SEGMENT_VALUE -> ApiCode.SEGMENT_VALUE_INVALID;
            case CRONTAB -> ApiCode.CRONTAB_INVALID;
            case NOT_CREATED -> ApiCode.STREAM_USER_NOT_CREATED;
            case LIMIT -> ApiCode.STREAM_USER_LIMIT;
            case NOT_FOUND -> ApiCode.STREAM_USER_NOT_FOUND;
        };
        return new ApiFailure(code, e.field(), e.getMessage());
    }

    private static String string(CommandFields m, String name) throws ApiFailure {
        return m.optionalString(name).orElse(null);
    }

    /** A boolean, or 0/1 as PHP clients often send. */
    private static Boolean bool(CommandFields m, String name) throws ApiFailure {
        Object v = m.members().get(name);
        if (v == null || v == Json.NULL) {
            return null;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof BigDecimal n && (n.compareTo(BigDecimal.ZERO) == 0 || n.compareTo(BigDecimal.ONE) == 0)) {
            return n.compareTo(BigDecimal.ONE) == 0;
        }
        throw new ApiFailure(ApiCode.INVALID_FIELD_TYPE, name, name + " must be true or false");
    }

    private static Integer integer(CommandFields m, String name) throws ApiFailure {
        return m.optionalInteger(name);
    }

    /** A number (minutes, MB) or a string (a number or a crontab expression), as text. */
    private static String segmentValue(CommandFields m) throws ApiFailure {
        Object v = m.members().get("segment_value");
        if (v == null || v == Json.NULL) {
            return null;
        }
        if (v instanceof String s) {
            return s;
        }
        if (v instanceof BigDecimal n) {
            try {
                return n.toBigIntegerExact().toString();
            } catch (ArithmeticException e) {
                throw new ApiFailure(ApiCode.SEGMENT_VALUE_INVALID, "segment_value", "segment_value must be a whole number");
            }
        }
        throw new ApiFailure(ApiCode.INVALID_FIELD_TYPE, "segment_value", "segment_value must be a number or a string");
    }
}
