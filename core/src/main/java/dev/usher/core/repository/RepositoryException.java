package dev.usher.core.repository;

/**
 * A {@link TicketRepository} could not do what was asked: its store failed, timed out or is not
 * set up. Unchecked, so that every caller of the SPI treats it alike: no decision is made (a
 * request being decided is refused by the adapter), nothing is assumed stored.
 */
public class RepositoryException extends RuntimeException {

    public RepositoryException(String message, Throwable cause) {
        super(message, cause);
    }

    public RepositoryException(String message) {
        super(message);
    }
}
