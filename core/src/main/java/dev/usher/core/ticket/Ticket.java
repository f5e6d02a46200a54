package dev.usher.core.ticket;

import dev.usher.core.rule.IpRestriction;
import dev.usher.core.rule.PatternList;

import java.time.Instant;
import java.util.Objects;

/**
 * A SEVU ticket: the fields of the seeds' ticket object, parsed into the rules they stand for.
 * Immutable; every change (a use, a bound {@code auto} slot, a revocation) yields a new ticket.
 *
 * @param key       the public identifier, e.g. {@code mystream.53ffc996dd39d5.39102367}
 * @param cdnId     the account that owns the ticket
 * @param pass      the password chosen by the issuer; with the key it admits a viewer
 * @param ip        where playback may come from, with the addresses its {@code auto} slots bound
 * @param video     the videos or streams the ticket is valid for
 * @param app       the applications the ticket is valid for
 * @param uses      playback starts remaining
 * @param active    false once revoked
 * @param created   when the ticket was issued
 * @param expires   after this instant nothing is admitted
 * @param usedDate  the first granted playback, or null
 */
public record Ticket(String key, long cdnId, String pass, IpRestriction ip, PatternList video, PatternList app,
                     int uses, boolean active, Instant created, Instant expires, Instant usedDate) {

    public Ticket {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(pass, "pass");
        Objects.requireNonNull(ip, "ip");
        Objects.requireNonNull(video, "video");
        Objects.requireNonNull(app, "app");
        Objects.requireNonNull(created, "created");
        Objects.requireNonNull(expires, "expires");
        if (uses < 0) {
            throw new IllegalArgumentException("uses must not be negative");
        }
    }

    public boolean isExpired(Instant now) {
        return !now.isBefore(expires);
    }

    public Ticket withActive(boolean value) {
        return new Ticket(key, cdnId, pass, ip, video, app, uses, value, created, expires, usedDate);
    }

    public Ticket withExpires(Instant value) {
        return new Ticket(key, cdnId, pass, ip, video, app, uses, active, created, value, usedDate);
    }

    /** @return this ticket after one granted playback start at {@code now}, with {@code ipAfter} */
    public Ticket consumed(IpRestriction ipAfter, Instant now) {
        return new Ticket(key, cdnId, pass, ipAfter, video, app, uses - 1, active, created, expires,
                usedDate == null ? now : usedDate);
    }

    /** The pass never appears in logs or exception messages. */
    @Override
    public String toString() {
        return "Ticket[key=" + key + ", cdnId=" + cdnId + ", ip=" + ip + ", video=" + video + ", app=" + app
                + ", uses=" + uses + ", active=" + active + ", expires=" + expires + "]";
    }
}
