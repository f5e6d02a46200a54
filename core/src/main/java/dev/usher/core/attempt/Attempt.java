package dev.usher.core.attempt;

import dev.usher.core.decision.Reason;

import java.time.Instant;

/**
 * One entry of a ticket's attempt log, with the fields of {@code sevu.errorlog}.
 *
 * @param key      the ticket key
 * @param datetime when the attempt was decided
 * @param ip       the client's address
 * @param video    the video requested
 * @param app      the application requested
 * @param appinst  the application instance
 * @param pageurl  the page the attempt came from
 * @param refurl   the referrer
 * @param reason   the decision; {@code success} is {@code reason == SUCCESS}
 * @param server   the name of the node that decided
 */
public record Attempt(String key, Instant datetime, String ip, String video, String app, String appinst,
                      String pageurl, String refurl, Reason reason, String server) {

    public boolean success() {
        return reason.granted();
    }
}
