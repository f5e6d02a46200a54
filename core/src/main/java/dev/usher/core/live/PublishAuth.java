package dev.usher.core.live;

/**
 * Whether an encoder may publish to a stream, and as which account.
 *
 * @param outcome  the decision
 * @param account  the stream user it publishes as (granted only)
 * @param reason   why, for the publisher log (never a password)
 */
public record PublishAuth(Outcome outcome, StreamUser account, String reason) {

    public enum Outcome {
        /** may publish */
        GRANTED,
        /** no credentials, or wrong ones: 401 with a challenge */
        UNAUTHENTICATED,
        /** the credentials are those of another stream or app: 403 */
        FORBIDDEN
    }

    public boolean granted() {
        return outcome == Outcome.GRANTED;
    }
}
