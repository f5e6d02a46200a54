package dev.usher.core.decision;

/**
 * Why a playback request was admitted or refused, with the exact text of {@code sevu.errorlog}.
 * The order of the constants is the order in which the rules are checked: the first that fails
 * is the reason.
 */
public enum Reason {
    /** Unknown key, or the pass does not match. */
    INVALID_AUTH_TOKEN("Invalid Auth Token"),
    /** The ticket was revoked ({@code active} 0). */
    TOKEN_REVOKED("Token Revoked"),
    /** The ticket's expiry has passed. */
    EXPIRED("Expiration date surpassed"),
    /** The request's application is not in the ticket's {@code app} list. */
    WRONG_APPLICATION("Wrong Application"),
    /** No uses remain and the request does not continue an open playback. */
    EXCEEDED_MAX_VIEWS("Exceeded max views"),
    /** The client's address is allowed by no entry of the ticket's {@code ip} list. */
    INVALID_IP_ADDRESS("Invalid IP Address"),
    /** The video is not in the ticket's {@code video} list. */
    VIDEO_NOT_AUTHORIZED("Not authorized for that video"),
    /**
     * Usher's own (issue 16): the ticket's {@code concurrent} limit is set and that many other
     * viewers (player instances) of it are active already.
     */
    TOO_MANY_PLAYBACKS("Too many concurrent playbacks"),
    /** Admitted. */
    SUCCESS("Success");

    private final String text;

    Reason(String text) {
        this.text = text;
    }

    /** @return the text the sevu.errorlog page gives (docs/PROTOCOL.md#errorlog), e.g. {@code Invalid IP Address} */
    public String text() {
        return text;
    }

    public boolean granted() {
        return this == SUCCESS;
    }

    /** @return the reason whose text is {@code text}, as stored in an attempt log */
    public static Reason ofText(String text) {
        for (Reason r : values()) {
            if (r.text.equals(text)) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown reason '" + text + "'");
    }

    @Override
    public String toString() {
        return text;
    }
}
