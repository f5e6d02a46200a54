package dev.usher.core.live;

/** Why a stream user was not created, with the kind the API turns into its documented code. */
public final class StreamUserException extends Exception {

    /** Each kind is one code of the document: 0009, 0010, 0011, 2070, 2072. */
    public enum Kind { SEGMENT_TYPE, SEGMENT_VALUE, CRONTAB, NOT_CREATED, LIMIT, NOT_FOUND }

    private final Kind kind;
    private final String field;

    public StreamUserException(Kind kind, String field, String message) {
        super(message, null, false, false);
        this.kind = kind;
        this.field = field;
    }

    public Kind kind() {
        return kind;
    }

    /** @return the field at fault, or null */
    public String field() {
        return field;
    }
}
