package dev.usher.core.viewer;

/**
 * What a ticket's viewers did, from the records still kept.
 *
 * @param active        viewers active now
 * @param playbacks     distinct player instances ever seen on the ticket
 * @param viewerSeconds the sum over its viewers of last seen minus first seen, in seconds
 */
public record TicketViewing(int active, int playbacks, long viewerSeconds) {
}
