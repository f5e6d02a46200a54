package dev.usher.core.api;

/**
 * The result codes of the SEVU JSON API. The general codes 0000–0006 and the command codes 2002,
 * 2070–2072, 2100, 2101 and 0009–0011 are ScaleEngine's (2073–2077 are Usher's live codes, 2080 and 2081 its viewer codes); the others are Usher's, in the same
 * numbering style (listed in the README).
 */
public enum ApiCode {
    UNRECOGNIZED_COMMAND(0, "Unrecognized API Command"),
    CDN_AUTHORIZATION_FAILED(1, "CDN Authorization failed (invalid API key or not authorized for that account)"),
    TIMESTAMP_OUT_OF_RANGE(2, "Timestamp outside valid range"),
    SIGNATURE_FAILED(3, "Failed HMAC-SHA256 Signature"),
    UNEXPECTED_ERROR(4, "unexpected error"),
    UNAUTHORIZED(5, "Unauthorized Access to API"),
    MISSING_FIELDS(6, "One or more required fields are missing"),
    /** Usher: the body is not a JSON object in UTF-8 of acceptable size. */
    MALFORMED_REQUEST(7, "Malformed request"),
    /** Usher: a field has the wrong JSON type (a number as a string, a string as a number…). */
    INVALID_FIELD_TYPE(8, "Invalid field type"),
    /** Usher: a field has the right type but an invalid value. */
    INVALID_FIELD_VALUE(12, "Invalid field value"),
    /**
     * Usher: the same signed mutating request (a retry) arrived while its first copy is still being
     * carried out, or its first answer could not be kept; it was not carried out again. A retry of
     * a request already answered gets that first answer instead (idempotent retry).
     */
    REQUEST_IN_PROGRESS(13, "Same request still in progress, retry"),
    /** Usher: a field this command does not know. */
    UNKNOWN_FIELD(14, "Unknown field"),
    /** Usher: more API requests are in progress than {@code usher.api.max-concurrent} (HTTP 503). */
    SERVER_BUSY(15, "Server busy, try again later"),
    /** Usher: the request body did not arrive within {@code usher.api.body-timeout} or fell below {@code usher.api.min-body-rate}. */
    BODY_TIMEOUT(16, "Request body too slow"),

    /** The sevu.addstreamuser page (docs/PROTOCOL.md#addstreamuser). */
    SEGMENT_TYPE_INVALID(9, "Segment Type may only be schedule, size, or duration."),
    SEGMENT_VALUE_INVALID(10, "Segments of Duration and Size require a value greater than 0."),
    CRONTAB_INVALID(11, "Invalid CRONTAB expression given."),

    TICKET_GRANTED(2002, "ScaleEngine Virtual Usher Ticket Granted"),
    /** Usher: sevu.status found the ticket. */
    TICKET_FOUND(2003, "ScaleEngine Virtual Usher Ticket found"),
    /** Usher: no ticket of the account has this key. */
    TICKET_NOT_FOUND(2004, "ScaleEngine Virtual Usher Ticket not found"),
    /** Usher: sevu.revoke deactivated the ticket. */
    TICKET_REVOKED(2005, "ScaleEngine Virtual Usher Ticket revoked"),
    /** Usher: sevu.search results (possibly none). */
    TICKETS_FOUND(2006, "ScaleEngine Virtual Usher Tickets found"),
    STREAM_USER_NOT_CREATED(2070, "Stream User could not be created"),
    STREAM_USER_ADDED(2071, "Stream User Added"),
    STREAM_USER_LIMIT(2072, "Exceeded maximum stream accounts"),
    /** Usher: sevu.liststreamusers (possibly none). */
    STREAM_USERS_FOUND(2073, "Stream Users found"),
    /** Usher: sevu.removestreamuser removed it. */
    STREAM_USER_REMOVED(2074, "Stream User removed"),
    /** Usher: the account has no stream user of that app and stream. */
    STREAM_USER_NOT_FOUND(2075, "Stream User not found"),
    /** Usher: sevu.publishlog entries (possibly none). */
    PUBLISH_LOG_FOUND(2076, "Publisher log entries found"),
    /** Usher: sevu.listrecordings (possibly none). */
    RECORDINGS_FOUND(2077, "Recordings found"),
    /** Usher: vsn.viewercount (always at least one row, possibly of zeros). */
    VIEWER_COUNTS_FOUND(2080, "Viewer counts found"),
    /** Usher: sevu.viewers, a ticket's viewer figures (possibly zeros). */
    TICKET_VIEWERS_FOUND(2081, "Ticket viewers found"),
    TICKET_NOT_USED(2100, "ScaleEngine Virtual Usher Ticket was not used"),
    TICKET_USES_FOUND(2101, "ScaleEngine Virtual Usher Ticket uses found");

    private final int code;
    private final String message;

    ApiCode(int code, String message) {
        this.code = code;
        this.message = message;
    }

    public int code() {
        return code;
    }

    public String message() {
        return message;
    }

    /** @return the code with this number, if any */
    public static java.util.Optional<ApiCode> of(int code) {
        for (ApiCode c : values()) {
            if (c.code == code) {
                return java.util.Optional.of(c);
            }
        }
        return java.util.Optional.empty();
    }

    /** @return the code as ScaleEngine's API pages write it, four digits */
    public String padded() {
        return String.format("%04d", code);
    }

    public boolean success() {
        return code >= 2000 && code != 2004 && code != 2070 && code != 2072 && code != 2075;
    }
}
