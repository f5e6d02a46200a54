package dev.usher.core.api;

import dev.usher.core.attempt.Attempt;
import dev.usher.core.time.SevuTime;

import java.util.LinkedHashMap;
import java.util.Map;

/** JSON shapes shared by the JSON commands and the v2 resource. */
final class ApiObjects {

    private ApiObjects() {
    }

    /**
     * An attempt as {@code sevu.errorlog} lists it (and v2's {@code sevu_attempt}): the sevu.errorlog page's fields,
     * and only on the entries that need them, two of Usher's own: {@code count} (more than 1: the
     * entry stands for that many identical refusals of one client within a minute) and
     * {@code not_served} (the HTTP status of a granted request that Usher could not serve, its use
     * given back).
     */
    static Map<String, Object> attempt(Attempt a, SevuTime time) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("key", a.key());
        m.put("datetime", time.format(a.datetime()));
        m.put("ip", a.ip());
        m.put("video", a.video());
        m.put("app", a.app());
        m.put("appinst", a.appinst());
        m.put("pageurl", a.pageurl());
        m.put("refurl", a.refurl());
        m.put("success", a.success() ? 1 : 0);
        m.put("reason", a.reason().text());
        m.put("server", a.server());
        if (a.count() > 1) {
            m.put("count", a.count());
        }
        if (a.failedStatus() != 0) {
            m.put("not_served", a.failedStatus());
        }
        return m;
    }
}
