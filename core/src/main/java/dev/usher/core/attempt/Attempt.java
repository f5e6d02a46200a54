package dev.usher.core.attempt;

import dev.usher.core.decision.Reason;

import java.time.Instant;

/**
 * One entry of a ticket's attempt log, with the fields of {@code sevu.errorlog} and two of Usher's
 * own (see {@link AttemptLog} for why).
 *
 * @param key          the ticket key
 * @param datetime     when the attempt was decided (for a row that counts repeats: the first of them)
 * @param ip           the client's address
 * @param video        the video requested
 * @param app          the application requested
 * @param appinst      the application instance
 * @param pageurl      the page the attempt came from
 * @param refurl       the referrer
 * @param reason       the decision; {@code success} is {@code reason == SUCCESS}
 * @param server       the name of the node that decided
 * @param count        how many requests this entry stands for: 1, or more for a refusal repeated by
 *                     the same client with the same reason within {@link AttemptLog#REFUSAL_WINDOW}
 * @param failedStatus for a grant that Usher could not serve (the file was missing, the manifest
 *                     unreadable), the HTTP status the response ended with, its use given back;
 *                     otherwise 0
 * @param passFingerprint the {@link PassFingerprint} of the pass the attempt carried ({@code ""} for
 *                     none, or for an entry recorded before fingerprints were); a repeat counted
 *                     into this entry keeps it
 */
public record Attempt(String key, Instant datetime, String ip, String video, String app, String appinst,
                      String pageurl, String refurl, Reason reason, String server, int count, int failedStatus,
                      String passFingerprint) {

    public Attempt {
        if (count < 1) {
            throw new IllegalArgumentException("count must be at least 1");
        }
        passFingerprint = passFingerprint == null ? "" : passFingerprint;
    }

    /** An entry without a pass fingerprint. */
    public Attempt(String key, Instant datetime, String ip, String video, String app, String appinst,
                   String pageurl, String refurl, Reason reason, String server, int count, int failedStatus) {
        this(key, datetime, ip, video, app, appinst, pageurl, refurl, reason, server, count, failedStatus, "");
    }

    /** @return this entry with the fingerprint of the pass it carried */
    public Attempt withPassFingerprint(String fingerprint) {
        return new Attempt(key, datetime, ip, video, app, appinst, pageurl, refurl, reason, server, count, failedStatus, fingerprint);
    }

    /** One request, served as decided. */
    public Attempt(String key, Instant datetime, String ip, String video, String app, String appinst,
                   String pageurl, String refurl, Reason reason, String server) {
        this(key, datetime, ip, video, app, appinst, pageurl, refurl, reason, server, 1, 0);
    }

    public boolean success() {
        return reason.granted();
    }

    /** @return this entry standing for one more repeat */
    public Attempt repeated() {
        return new Attempt(key, datetime, ip, video, app, appinst, pageurl, refurl, reason, server,
                count == Integer.MAX_VALUE ? count : count + 1, failedStatus, passFingerprint);
    }

    /** @return this grant marked as not served, with the status its response ended with */
    public Attempt notServed(int status) {
        return new Attempt(key, datetime, ip, video, app, appinst, pageurl, refurl, reason, server, count, status, passFingerprint);
    }
}
