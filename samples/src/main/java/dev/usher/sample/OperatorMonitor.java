package dev.usher.sample;

import dev.usher.sample.console.RefusalTimeline;
import dev.usher.servlet.UsherRuntime;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.time.Clock;

/**
 * Listens to Usher from the start of the application for the operator console: the refusals by
 * reason and minute ({@link RefusalTimeline}), entries and child credentials alike. A plain
 * {@link dev.usher.core.service.UsherListener} on the service, since the CDI events carry decisions only.
 */
@ApplicationScoped
public class OperatorMonitor {

    @Inject
    UsherRuntime runtime;

    private final RefusalTimeline refusals = new RefusalTimeline(Clock.systemUTC());
    private boolean listening;

    void start(@Observes @Initialized(ApplicationScoped.class) Object started) {
        listen();
    }

    private synchronized void listen() {
        if (!listening) {
            runtime.service().addListener(refusals);
            listening = true;
        }
    }

    /** @return the refusals of the last hour (listening from now on, should the start event have been missed) */
    public RefusalTimeline refusals() {
        listen();
        return refusals;
    }
}
