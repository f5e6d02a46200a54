package dev.usher.core.api;

import dev.usher.core.account.Account;
import dev.usher.core.live.record.Recorder;
import dev.usher.core.live.record.Recording;
import dev.usher.core.log.LogText;
import dev.usher.core.time.SevuTime;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Usher's recording command: {@code sevu.listrecordings} lists an app's recordings (finished or
 * being written) with name, stream, start, end, duration, size and folder. Read-only; called
 * after the account, timestamp, signature, field names and replay were checked, like every command.
 */
public final class RecordingCommands implements CommandGroup {

    static final Commands COMMANDS = new Commands(Map.of("sevu.listrecordings", Set.of("app", "stream", "limit")), Set.of());
    /** The most recordings one answer lists (the newest): an answer is bounded like every other. */
    public static final int MAX_RECORDINGS = 1000;

    private final Recorder recorder;
    private final SevuTime time;

    /** @param recorder null where this node records nothing (no ingest): the list is empty */
    public RecordingCommands(Recorder recorder, SevuTime time) {
        this.recorder = recorder;
        this.time = time;
    }

    @Override
    public Commands commands() {
        return COMMANDS;
    }

    @Override
    public SevuApi.Answer handle(SignedCommand command) throws ApiFailure {
        if (!command.name().equals("sevu.listrecordings")) {
            throw new IllegalStateException(command.name());
        }
        Account account = command.account();
        Map<String, Object> m = command.fields().members();
        Object app = m.get("app");
        if (!(app instanceof String a) || a.isEmpty()) {
            throw new ApiFailure(app == null || app == Json.NULL || "".equals(app) ? ApiCode.MISSING_FIELDS : ApiCode.INVALID_FIELD_TYPE,
                    "app", "app");
        }
        Object stream = m.get("stream");
        if (stream != null && stream != Json.NULL && !(stream instanceof String)) {
            throw new ApiFailure(ApiCode.INVALID_FIELD_TYPE, "stream", "stream must be a string");
        }
        Integer limit = command.fields().optionalInteger("limit");
        int n = limit == null ? MAX_RECORDINGS : limit;
        if (n < 1 || n > MAX_RECORDINGS) {
            throw new ApiFailure(ApiCode.INVALID_FIELD_VALUE, "limit", "limit must be between 1 and " + MAX_RECORDINGS);
        }
        // Tenants apart: an account sees the recordings of its own apps only.
        if (!account.ownsApp(a)) {
            throw new ApiFailure(ApiCode.CDN_AUTHORIZATION_FAILED, "app", "app " + LogText.safe(a)
                    + " is outside account " + account.cdnId() + "'s applications (" + account.apps().text() + ")");
        }
        List<Recording> found = new ArrayList<>();
        for (Recording r : recorder == null ? List.<Recording>of() : recorder.list(a)) {
            if (!(stream instanceof String s) || r.stream().equals(s)) {
                found.add(r);
            }
        }
        List<Object> out = new ArrayList<>();
        for (Recording r : found.subList(Math.max(0, found.size() - n), found.size())) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("name", r.name());
            o.put("app", r.app());
            o.put("stream", r.stream());
            o.put("start", time.format(r.start()));
            o.put("end", time.format(r.end()));
            o.put("duration", BigDecimal.valueOf(r.duration().toMillis()).movePointLeft(3).setScale(3, RoundingMode.UNNECESSARY));
            o.put("size", r.bytes());
            o.put("segments", r.segments());
            o.put("folder", r.folder());
            o.put("finished", r.finished());
            o.put("mp4", r.mp4());
            out.add(o);
        }
        Map<String, Object> body = SevuApi.success(ApiCode.RECORDINGS_FOUND);
        body.put("recordings", out);
        return new SevuApi.Answer(ApiCode.RECORDINGS_FOUND, body);
    }
}
