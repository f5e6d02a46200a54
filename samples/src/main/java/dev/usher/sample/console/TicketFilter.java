package dev.usher.sample.console;

import dev.usher.core.ticket.Ticket;

import java.time.Instant;
import java.util.List;

/**
 * What the console's ticket search narrows {@code UsherService.search}'s answer to, and one page of it.
 * The store already filtered by video and {@code active} ({@link dev.usher.core.repository.TicketQuery});
 * the user and the expiry are read here from each ticket.
 *
 * @param user   when set, only tickets issued to this user: the {@code user|} the sample's {@code usher}
 *               bean puts at the start of every pass (compared whole, never as a pattern)
 * @param expiry {@code valid} (not expired yet), {@code expired}, or null for both
 * @param page   which page, from 0
 * @param size   tickets per page, 1 to {@value #MAX_SIZE}
 */
public record TicketFilter(String user, String expiry, int page, int size) {

    public static final int MAX_SIZE = 100;
    public static final int MAX_PAGE = 1000;

    public TicketFilter {
        if (size < 1 || size > MAX_SIZE) {
            throw new IllegalArgumentException("size must be between 1 and " + MAX_SIZE);
        }
        if (page < 0 || page > MAX_PAGE) {
            throw new IllegalArgumentException("page must be between 0 and " + MAX_PAGE);
        }
        if (expiry != null && !expiry.equals("valid") && !expiry.equals("expired")) {
            throw new IllegalArgumentException("expiry must be valid or expired");
        }
    }

    /** @return the user a ticket was issued to, from its pass ({@code user|random}); null when the pass names none */
    public static String userOf(Ticket t) {
        int bar = t.pass().indexOf('|');
        return bar > 0 ? t.pass().substring(0, bar) : null;
    }

    public boolean accepts(Ticket t, Instant now) {
        return (user == null || user.equals(userOf(t)))
                && (expiry == null || expiry.equals("expired") == t.isExpired(now));
    }

    /**
     * @param matching how many tickets the filter accepted
     * @param tickets  this page of them
     */
    public record Page(int matching, List<Ticket> tickets) {
    }

    /** @return this filter's page of {@code found} (newest first, as the store answers) */
    public Page page(List<Ticket> found, Instant now) {
        List<Ticket> accepted = found.stream().filter(t -> accepts(t, now)).toList();
        int from = Math.min(accepted.size(), page * size);
        return new Page(accepted.size(), accepted.subList(from, Math.min(accepted.size(), from + size)));
    }
}
