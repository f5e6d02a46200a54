package dev.usher.core.credential;

/**
 * The outcome of checking a playback credential, in the order the checks run: the first failing
 * check is reported.
 */
public enum CredentialStatus {
    /** Well formed, signed by a configured secret, unexpired, in scope and from an allowed network. */
    VALID,
    /** Missing, too long, not in the credential's encoding, or with fields out of range. */
    MALFORMED,
    /** Signed with a key id that is not (or no longer) configured. */
    UNKNOWN_KEY_ID,
    /** The MAC does not match: forged or altered. */
    BAD_SIGNATURE,
    /** Authentic but past its expiry. */
    EXPIRED,
    /** Authentic but for another app or video than the child requested. */
    WRONG_SCOPE,
    /** Authentic but presented from an address outside its client network. */
    WRONG_NETWORK;

    public boolean isValid() {
        return this == VALID;
    }
}
