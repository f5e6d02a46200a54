package dev.usher.core.ticket;

import dev.usher.core.rule.IpRestriction;
import dev.usher.core.rule.PatternList;

import java.time.Instant;
import java.util.Objects;

/**
 * A SEVU ticket: the fields of ticket object of ScaleEngine's sevu.request page (docs/PROTOCOL.md#request), parsed into the rules they stand for.
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
 * @param usedDate  the first granted playback start, or null
 * @param id        the number the repository gave the ticket when it stored it (unique per
 *                  repository, from 1), or 0 before it is stored
 * @param lastUsed  the latest granted playback start, or null; null exactly when {@code usedDate} is
 * @param concurrent the most viewers (player instances) that may play on the ticket at once, an Usher
 *                  extension (issue 16); 0, the default, sets no limit
 */
public record Ticket(String key, long cdnId, String pass, IpRestriction ip, PatternList video, PatternList app,
                     int uses, boolean active, Instant created, Instant expires, Instant usedDate,
                     long id, Instant lastUsed, int concurrent) {

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
        if (id < 0) {
            throw new IllegalArgumentException("id must not be negative");
        }
        if (concurrent < 0) {
            throw new IllegalArgumentException("concurrent must not be negative");
        }
    }

    /** A ticket without a limit on concurrent viewers. */
    public Ticket(String key, long cdnId, String pass, IpRestriction ip, PatternList video, PatternList app,
                  int uses, boolean active, Instant created, Instant expires, Instant usedDate,
                  long id, Instant lastUsed) {
        this(key, cdnId, pass, ip, video, app, uses, active, created, expires, usedDate, id, lastUsed, 0);
    }

    /** A ticket not stored yet (id 0), whose last use is its first. */
    public Ticket(String key, long cdnId, String pass, IpRestriction ip, PatternList video, PatternList app,
                  int uses, boolean active, Instant created, Instant expires, Instant usedDate) {
        this(key, cdnId, pass, ip, video, app, uses, active, created, expires, usedDate, 0, usedDate, 0);
    }

    public boolean isExpired(Instant now) {
        return !now.isBefore(expires);
    }

    public Ticket withActive(boolean value) {
        return new Ticket(key, cdnId, pass, ip, video, app, uses, value, created, expires, usedDate, id, lastUsed, concurrent);
    }

    public Ticket withExpires(Instant value) {
        return new Ticket(key, cdnId, pass, ip, video, app, uses, active, created, value, usedDate, id, lastUsed, concurrent);
    }

    /** @return this ticket with at most {@code value} concurrent viewers (0: no limit) */
    public Ticket withConcurrent(int value) {
        return new Ticket(key, cdnId, pass, ip, video, app, uses, active, created, expires, usedDate, id, lastUsed, value);
    }

    /** @return this ticket as the repository numbered it */
    public Ticket withId(long value) {
        return new Ticket(key, cdnId, pass, ip, video, app, uses, active, created, expires, usedDate, value, lastUsed, concurrent);
    }

    /**
     * @return this ticket after one granted playback start at {@code now}, with {@code ipAfter}: one use
     *         less, {@code now} its last use, and its first use unless it had one
     */
    public Ticket consumed(IpRestriction ipAfter, Instant now) {
        return new Ticket(key, cdnId, pass, ipAfter, video, app, uses - 1, active, created, expires,
                usedDate == null ? now : usedDate, id, now, concurrent);
    }

    /** The pass never appears in logs or exception messages. */
    @Override
    public String toString() {
        return "Ticket[id=" + id + ", key=" + key + ", cdnId=" + cdnId + ", ip=" + ip + ", video=" + video + ", app=" + app
                + ", uses=" + uses + ", active=" + active + ", expires=" + expires
                + (concurrent > 0 ? ", concurrent=" + concurrent : "") + "]";
    }
}
