package dev.usher.core.live.record;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** Every registered {@link RecordingListener}, told in turn; one that throws is logged and the others still hear. */
public final class RecordingListeners implements RecordingListener {

    private static final System.Logger LOG = System.getLogger("dev.usher.live.record");
    private final List<RecordingListener> listeners = new CopyOnWriteArrayList<>();

    public void add(RecordingListener listener) {
        listeners.add(listener);
    }

    public void remove(RecordingListener listener) {
        listeners.remove(listener);
    }

    private void tell(Consumer<RecordingListener> event) {
        for (RecordingListener l : listeners) {
            try {
                event.accept(l);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "a recording listener failed", e);
            }
        }
    }

    @Override
    public void started(Recording recording) {
        tell(l -> l.started(recording));
    }

    @Override
    public void finished(Recording recording) {
        tell(l -> l.finished(recording));
    }

    @Override
    public void diskLow(String app, String stream, long freeBytes, long floorBytes) {
        tell(l -> l.diskLow(app, stream, freeBytes, floorBytes));
    }
}
