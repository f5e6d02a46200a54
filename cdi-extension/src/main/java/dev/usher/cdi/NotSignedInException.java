package dev.usher.cdi;

/** A ticket was asked for a request with no signed-in user, and anonymous issuing is off. */
public class NotSignedInException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public NotSignedInException() {
        super("no signed-in user: tickets are issued to signed-in users only (usher.issue.allow-anonymous=false)");
    }
}
