package dev.usher.core.credential;

import java.util.Objects;

/**
 * The result of {@link PlaybackCredentials#verify}.
 *
 * @param status     what the check found
 * @param credential the decoded credential once its signature is proven (statuses {@code VALID},
 *                   {@code EXPIRED}, {@code WRONG_SCOPE}, {@code WRONG_NETWORK}), so that a refusal
 *                   can be logged against its ticket; null when the signature was not proven
 */
public record CredentialCheck(CredentialStatus status, PlaybackCredential credential) {

    public CredentialCheck {
        Objects.requireNonNull(status, "status");
        boolean authentic = status == CredentialStatus.VALID || status == CredentialStatus.EXPIRED
                || status == CredentialStatus.WRONG_SCOPE || status == CredentialStatus.WRONG_NETWORK;
        if (authentic != (credential != null)) {
            throw new IllegalArgumentException("a credential goes with exactly the authentic statuses, not " + status);
        }
    }

    public boolean isValid() {
        return status == CredentialStatus.VALID;
    }

    static CredentialCheck refused(CredentialStatus status) {
        return new CredentialCheck(status, null);
    }
}
