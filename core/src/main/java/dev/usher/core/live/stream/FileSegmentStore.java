package dev.usher.core.live.stream;

import dev.usher.core.live.LiveNames;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Live streams in a folder ({@code usher.ingest.dir}): {@code {root}/{app}/{stream}/{name}}, with
 * uploads in progress under {@code {root}/.usher-ingest/} (same filesystem, so placing is an atomic
 * rename). Point the media folder of live apps here and the generated playlists and segments are
 * served by the container's static files under the Usher filter.
 */
public final class FileSegmentStore implements SegmentStore {

    public static final String TEMP = ".usher-ingest";
    /**
     * A folder holding this file is a folder of recordings, not a live stream: never listed as a
     * stream, never removed with one (a stream named like a {@code save_folder} can't delete them).
     */
    public static final String RECORDINGS_MARKER = ".usher-recordings";

    /** A temporary file this old is a leftover whoever made it (no upload takes an hour). */
    static final java.time.Duration STALE = java.time.Duration.ofHours(1);

    private final Path root;
    private final Path temp;
    private final String prefix;

    public FileSegmentStore(Path root) throws IOException {
        this(root, "");
    }

    /**
     * @param node this node's id: its temporary files are named after it, so that nodes sharing the
     *             folder remove only their own leftovers on start (and anyone's an hour old)
     */
    public FileSegmentStore(Path root, String node) throws IOException {
        if (!node.isEmpty() && !LiveNames.simple(node)) {
            throw new IllegalArgumentException("not a simple name");
        }
        this.root = root.toAbsolutePath().normalize();
        this.temp = this.root.resolve(TEMP);
        this.prefix = node.isEmpty() ? "" : node + "-";
        Files.createDirectories(temp);
        // Leftovers of uploads a stopped server never finished.
        java.nio.file.attribute.FileTime stale = java.nio.file.attribute.FileTime.from(java.time.Instant.now().minus(STALE));
        try (DirectoryStream<Path> old = Files.newDirectoryStream(temp)) {
            for (Path p : old) {
                if (p.getFileName().toString().startsWith(prefix) || Files.getLastModifiedTime(p).compareTo(stale) < 0) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    public Path root() {
        return root;
    }

    private Path folder(String app, String stream) {
        if (!LiveNames.simple(app) || !LiveNames.simple(stream)) {
            throw new IllegalArgumentException("not a simple name");
        }
        Path p = root.resolve(app).resolve(stream).normalize();
        if (!p.startsWith(root) || p.getNameCount() != root.getNameCount() + 2) {
            throw new IllegalArgumentException("outside the ingest folder");
        }
        return p;
    }

    private Path file(String app, String stream, String name) {
        if (!LiveNames.simple(name)) {
            throw new IllegalArgumentException("not a simple name");
        }
        return folder(app, stream).resolve(name);
    }

    @Override
    public Pending create(String app, String stream) throws IOException {
        folder(app, stream);
        Path p = temp.resolve(prefix + UUID.randomUUID() + ".part");
        return new FilePending(p);
    }

    @Override
    public void place(Pending pending, String app, String stream, String name) throws IOException {
        FilePending f = (FilePending) pending;
        f.close();
        Path target = file(app, stream, name);
        Files.createDirectories(target.getParent());
        move(f.path, target);
    }

    @Override
    public void write(String app, String stream, String name, byte[] content) throws IOException {
        Path target = file(app, stream, name);
        Files.createDirectories(target.getParent());
        Path t = temp.resolve(prefix + UUID.randomUUID() + ".part");
        Files.write(t, content);
        move(t, target);
    }

    /** Replaces {@code to} by {@code from} with one rename where the filesystem can (readers see old or new, never a mix). */
    public static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    @Override
    public void delete(String app, String stream, String name) throws IOException {
        Files.deleteIfExists(file(app, stream, name));
    }

    @Override
    public void deleteStream(String app, String stream) throws IOException {
        Path dir = folder(app, stream);
        if (!Files.isDirectory(dir) || Files.exists(dir.resolve(RECORDINGS_MARKER))) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Override
    public long freeBytes() throws IOException {
        return Files.getFileStore(temp).getUsableSpace();
    }

    @Override
    public List<String[]> streams() throws IOException {
        List<String[]> out = new ArrayList<>();
        try (DirectoryStream<Path> apps = Files.newDirectoryStream(root, Files::isDirectory)) {
            for (Path app : apps) {
                String a = app.getFileName().toString();
                if (!LiveNames.simple(a)) {
                    continue;
                }
                try (DirectoryStream<Path> streams = Files.newDirectoryStream(app, Files::isDirectory)) {
                    for (Path s : streams) {
                        if (LiveNames.simple(s.getFileName().toString()) && !Files.exists(s.resolve(RECORDINGS_MARKER))) {
                            out.add(new String[] {a, s.getFileName().toString()});
                        }
                    }
                }
            }
        }
        return out;
    }

    @Override
    public List<String> files(String app, String stream) throws IOException {
        Path dir = folder(app, stream);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> list = Files.list(dir)) {
            return list.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Override
    public byte[] read(String app, String stream, String name) throws IOException {
        try {
            return Files.readAllBytes(file(app, stream, name));
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private static final class FilePending implements Pending {
        final Path path;
        OutputStream out;
        long size;

        FilePending(Path path) {
            this.path = path;
        }

        @Override
        public OutputStream output() throws IOException {
            if (out == null) {
                OutputStream file = Files.newOutputStream(path);
                out = new OutputStream() {
                    @Override
                    public void write(int b) throws IOException {
                        file.write(b);
                        size++;
                    }

                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        file.write(b, off, len);
                        size += len;
                    }

                    @Override
                    public void close() throws IOException {
                        file.close();
                    }
                };
            }
            return out;
        }

        void close() throws IOException {
            if (out != null) {
                out.close();
            } else {
                Files.write(path, new byte[0]);
            }
        }

        @Override
        public long size() {
            return size;
        }

        @Override
        public void discard() {
            try {
                if (out != null) {
                    out.close();
                }
                Files.deleteIfExists(path);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
