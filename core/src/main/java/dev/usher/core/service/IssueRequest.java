package dev.usher.core.service;

/**
 * The fields of {@code sevu.request} (or a v2 create), as text, before validation.
 *
 * @param app     application list, required
 * @param video   video list, required
 * @param pass    the pass, required
 * @param ip      the IP rule, required
 * @param uses    playback starts allowed, required, at least 1
 * @param expire  absolute or relative expiry; {@code expires} is accepted as its synonym; when
 *                both are null the default ({@code +1 week}) applies
 * @param expires the synonym of {@code expire}
 * @param active  whether the ticket starts active (v2 allows creating an inactive one); null is true
 * @param concurrent the most viewers that may play on the ticket at once, at least 0 (Usher's
 *                extension, issue 16); null or 0 sets no limit
 */
public record IssueRequest(String app, String video, String pass, String ip, Integer uses, String expire,
                           String expires, Boolean active, Integer concurrent) {

    /** A request without a limit on concurrent viewers. */
    public IssueRequest(String app, String video, String pass, String ip, Integer uses, String expire,
                        String expires, Boolean active) {
        this(app, video, pass, ip, uses, expire, expires, active, null);
    }

    /** The usual case: active, one expiry field. */
    public static IssueRequest of(String app, String video, String pass, String ip, int uses, String expire) {
        return new IssueRequest(app, video, pass, ip, uses, expire, null, null, null);
    }

    /** @return this request, for a ticket on which at most {@code value} viewers play at once (0: no limit) */
    public IssueRequest withConcurrent(int value) {
        return new IssueRequest(app, video, pass, ip, uses, expire, expires, active, value);
    }

    /** The pass never appears in logs. */
    @Override
    public String toString() {
        return "IssueRequest[app=" + app + ", video=" + video + ", ip=" + ip + ", uses=" + uses + ", expire="
                + (expire != null ? expire : expires)
                + (concurrent != null && concurrent != 0 ? ", concurrent=" + concurrent : "") + "]";
    }
}
