package dev.usher.cdi;

import dev.usher.core.http.Refusal;
import jakarta.enterprise.inject.spi.CDI;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLConnection;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * Serves a media file from a JAX-RS resource method the way a container serves a static file:
 * {@code Accept-Ranges}, a single {@code Range} answered with 206 and {@code Content-Range}, an
 * unsatisfiable one with 416, and {@code If-Range} honoured (a changed file is sent whole). Safari
 * and iOS refuse to play an MP4 whose server answers a Range request with 200, so a
 * {@link ProtectedMedia} method serving files should answer through this:
 *
 * <pre>{@code
 * return MediaFiles.serve(context.getResource("/media/" + file), "video/mp4", headers);
 * }</pre>
 *
 * The validators are a strong ETag made of the file's length and modification time, and
 * {@code Last-Modified} when the file has one.
 *
 * <p>Fails closed: it sends nothing (503) unless {@link ProtectedMediaFilter} decided and granted the
 * request, so an application whose {@code Application.getClasses()} forgets
 * {@link ProtectedMediaFeature} does not serve its media unguarded. A resource that streams its
 * own bytes calls {@link #requireGuarded()} first.
 */
public final class MediaFiles {

    private static final int BUFFER = 64 * 1024;

    private static final System.Logger LOG = System.getLogger("dev.usher.cdi");

    /** Logged once at ERROR, then at DEBUG: a flood of requests must not flood the log. */
    private static final java.util.concurrent.atomic.AtomicBoolean TOLD = new java.util.concurrent.atomic.AtomicBoolean();

    private MediaFiles() {
    }

    /**
     * Call before a {@link ProtectedMedia} method sends any byte of its own.
     *
     * @throws WebApplicationException 503 "Media not guarded" unless {@link ProtectedMediaFilter} granted
     *         this request (it runs only where {@link ProtectedMediaFeature} is registered)
     */
    public static void requireGuarded() {
        Response refusal = refusalUnlessGuarded();
        if (refusal != null) {
            throw new WebApplicationException(refusal);
        }
    }

    /** @return null when {@link ProtectedMediaFilter} granted the current request, else the 503 to answer */
    private static Response refusalUnlessGuarded() {
        try {
            HttpServletRequest request = CDI.current().select(HttpServletRequest.class).get();
            if (Boolean.TRUE.equals(request.getAttribute(ProtectedMediaFilter.GRANTED))) {
                return null;
            }
        } catch (RuntimeException e) {
            // No CDI or no request: nothing says the request was decided, so it was not.
        }
        LOG.log(TOLD.compareAndSet(false, true) ? System.Logger.Level.ERROR : System.Logger.Level.DEBUG,
                "refused to serve media: the request was not decided by ProtectedMediaFilter. Register "
                        + ProtectedMediaFeature.class.getName() + " in the JAX-RS Application (getClasses()) and annotate "
                        + "the resource method @ProtectedMedia");
        return ProtectedMediaFilter.response(Refusal.notGuarded());
    }

    /**
     * @param file    the file (a {@code file:} or {@code jar:} URL, as {@code ServletContext.getResource} gives), or null
     * @param type    its media type, e.g. {@code video/mp4}
     * @param headers the request's headers (Range, If-Range)
     * @return 200 with the whole file, 206 with one range, 416 for a range past its end, 404 when {@code file} is null;
     *         503 and no byte when {@link ProtectedMediaFilter} did not grant the request
     */
    public static Response serve(URL file, String type, HttpHeaders headers) {
        Response refusal = refusalUnlessGuarded();
        if (refusal != null) {
            return refusal;
        }
        if (file == null) {
            return Response.status(Response.Status.NOT_FOUND).build();
        }
        long length;
        long modified;
        try {
            URLConnection c = file.openConnection();
            c.setUseCaches(false);
            length = c.getContentLengthLong();
            modified = c.getLastModified();
            // getContentLength opened the entry or file: close it, the body opens its own.
            c.getInputStream().close();
        } catch (IOException e) {
            return Response.status(Response.Status.NOT_FOUND).build();
        }
        if (length < 0) {
            // Length unknown: no ranges can be promised.
            return Response.ok(body(file, 0, -1), type).header("Accept-Ranges", "none").build();
        }
        String etag = "\"" + Long.toHexString(length) + "-" + Long.toHexString(modified) + "\"";
        ByteRange.Request asked = ByteRange.of(headers.getHeaderString("Range"), length);
        String ifRange = headers.getHeaderString("If-Range");
        if (!(asked instanceof ByteRange.Whole) && ifRange != null && !matches(ifRange.strip(), etag, modified)) {
            asked = new ByteRange.Whole(); // the file changed since the client's first part: send it all
        }
        Response.ResponseBuilder answer;
        if (asked instanceof ByteRange.Partial p) {
            answer = Response.status(Response.Status.PARTIAL_CONTENT)
                    .entity(body(file, p.range().first(), p.range().length())).type(type)
                    .header("Content-Range", p.range().contentRange(length))
                    .header("Content-Length", p.range().length());
        } else if (asked instanceof ByteRange.Unsatisfiable) {
            // With a body: an empty 416 after a 206 on one HTTP/2 connection leaves Java's client
            // waiting on Open Liberty.
            return Response.status(Response.Status.REQUESTED_RANGE_NOT_SATISFIABLE)
                    .entity("Range not satisfiable\n").type("text/plain;charset=UTF-8")
                    .header("Content-Range", "bytes */" + length).header("Accept-Ranges", "bytes").build();
        } else {
            answer = Response.ok(body(file, 0, length), type).header("Content-Length", length);
        }
        answer.header("Accept-Ranges", "bytes").header("ETag", etag);
        if (modified > 0) {
            answer.header("Last-Modified", httpDate(modified));
        }
        return answer.build();
    }

    /** A strong ETag must be equal; a date must be the file's modification time to the second. */
    private static boolean matches(String ifRange, String etag, long modified) {
        if (ifRange.startsWith("\"")) {
            return ifRange.equals(etag);
        }
        if (ifRange.startsWith("W/") || modified <= 0 || ifRange.length() > 64) {
            return false;
        }
        try {
            return ZonedDateTime.parse(ifRange, DateTimeFormatter.RFC_1123_DATE_TIME).toEpochSecond() == modified / 1000;
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    private static String httpDate(long millis) {
        return DateTimeFormatter.RFC_1123_DATE_TIME.format(Instant.ofEpochMilli(millis).atZone(ZoneOffset.UTC));
    }

    /** The bytes {@code [first, first + count)}; all of them from {@code first} when {@code count} is negative. */
    private static StreamingOutput body(URL file, long first, long count) {
        return out -> {
            try (InputStream in = file.openStream()) {
                in.skipNBytes(first);
                copy(in, out, count);
            }
        };
    }

    private static void copy(InputStream in, OutputStream out, long count) throws IOException {
        byte[] buffer = new byte[BUFFER];
        long left = count < 0 ? Long.MAX_VALUE : count;
        while (left > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (n < 0) {
                break;
            }
            out.write(buffer, 0, n);
            left -= n;
        }
    }
}
