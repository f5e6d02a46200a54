package dev.usher.core.live;

/**
 * The fields of a {@code sevu.addstreamuser} call as values (types already checked by the API);
 * null where a field was absent, except {@code user}/{@code pass}, where null means "no
 * authentication" and absence is the API's concern.
 *
 * @param segmentValue a whole number (minutes or MB) as text, or a crontab expression
 */
public record StreamUserRequest(String app, String stream, String user, String pass,
                                Boolean record, String recordType, String segmentType, String segmentValue,
                                String saveFolder, Integer playlistCount, Integer playlistTimeout, Boolean enableDvr,
                                String gaKey) {

    /** A request with a user and password and every optional field absent. */
    public static StreamUserRequest of(String app, String stream, String user, String pass) {
        return new StreamUserRequest(app, stream, user, pass, null, null, null, null, null, null, null, null, null);
    }
}
