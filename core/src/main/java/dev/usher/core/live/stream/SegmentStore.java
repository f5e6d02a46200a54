package dev.usher.core.live.stream;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;

/**
 * Where live streams' files live. An upload is written to a temporary object first and placed
 * under its final name only when complete, so a reader never sees half a segment; playlists are
 * replaced atomically. Every name is a simple name (checked by the caller and again here).
 */
public interface SegmentStore {

    /** A temporary object being written, not visible to viewers. */
    interface Pending {
        OutputStream output() throws IOException;

        /** @return the bytes written so far */
        long size();

        /** Throws it away (an aborted or superseded upload). Idempotent. */
        void discard();
    }

    Pending create(String app, String stream) throws IOException;

    /** Moves a complete temporary object into the stream's folder as {@code name}. */
    void place(Pending pending, String app, String stream, String name) throws IOException;

    /** Writes a small object (a playlist) so that readers see the old or the new content, never a mix. */
    void write(String app, String stream, String name, byte[] content) throws IOException;

    void delete(String app, String stream, String name) throws IOException;

    /** Removes the stream's folder and everything in it. */
    void deleteStream(String app, String stream) throws IOException;

    /** @return the free space where uploads are written */
    long freeBytes() throws IOException;

    /** @return every stored stream as {app, stream} (to finalize streams a server restart interrupted) */
    List<String[]> streams() throws IOException;

    /** @return the names of the stream's files */
    List<String> files(String app, String stream) throws IOException;

    /** @return the content of a small stored object, or null */
    byte[] read(String app, String stream, String name) throws IOException;
}
