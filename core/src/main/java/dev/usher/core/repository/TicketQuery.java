package dev.usher.core.repository;

/**
 * A search of one account's tickets.
 *
 * @param video  when set, only tickets that allow this video (their {@code video} patterns match
 *               it) or whose {@code video} text is exactly this
 * @param active when set, only tickets with this {@code active}
 * @param limit  at most this many, newest first
 */
public record TicketQuery(String video, Boolean active, int limit) {

    public static final int MAX_LIMIT = 1000;

    public TicketQuery {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT);
        }
    }

    public static TicketQuery byVideo(String video) {
        return new TicketQuery(video, null, MAX_LIMIT);
    }

    public boolean accepts(dev.usher.core.ticket.Ticket t) {
        return (active == null || t.active() == active)
                && (video == null || t.video().text().equals(video) || t.video().matches(video));
    }
}
