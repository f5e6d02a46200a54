package dev.usher.cdi;

import dev.usher.core.decision.Decision;
import dev.usher.core.decision.PlaybackRequest;

/**
 * CDI event: a playback request was decided, granted or refused — for analytics and abuse
 * tracking. Fired on the request's thread after the decision; observers should be quick.
 *
 * @param request  what was asked (its {@code toString} never shows the pass)
 * @param decision the answer and why
 */
public record PlaybackDecided(PlaybackRequest request, Decision decision) {

    public boolean granted() {
        return decision.granted();
    }
}
