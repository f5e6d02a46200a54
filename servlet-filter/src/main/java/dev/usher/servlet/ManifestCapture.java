package dev.usher.servlet;

import dev.usher.core.media.MediaPath;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Holds back a manifest the server writes, so the filter can rewrite it before anything reaches
 * the client. Bounded: a manifest over the limit is refused, not streamed unrewritten (its children
 * would carry no credentials, and a huge body would only waste memory).
 */
final class ManifestCapture extends HttpServletResponseWrapper {

    private final int limit;
    private final BoundedBuffer buffer;
    private ServletOutputStream stream;
    private PrintWriter writer;
    private int status = SC_OK;

    ManifestCapture(HttpServletResponse response, int limit) {
        super(response);
        this.limit = limit;
        this.buffer = new BoundedBuffer(limit);
    }

    /** A byte buffer that stops growing at its limit and remembers that it overflowed. */
    private static final class BoundedBuffer extends ByteArrayOutputStream {
        private final int limit;
        private boolean overflow;

        BoundedBuffer(int limit) {
            super(8192);
            this.limit = limit;
        }

        @Override
        public synchronized void write(int b) {
            if (count + 1 > limit) {
                overflow = true;
                return;
            }
            super.write(b);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            if (count + len > limit) {
                overflow = true;
                return;
            }
            super.write(b, off, len);
        }
    }

    @Override
    public void setStatus(int sc) {
        status = sc;
        super.setStatus(sc);
    }

    @Override
    public void sendError(int sc) throws IOException {
        status = sc;
        super.sendError(sc);
    }

    @Override
    public void sendError(int sc, String msg) throws IOException {
        status = sc;
        super.sendError(sc, msg);
    }

    @Override
    public void setContentLength(int len) {
        // The rewritten length is set in finish().
    }

    @Override
    public void setContentLengthLong(long len) {
    }

    @Override
    public void setHeader(String name, String value) {
        if (!isLengthOrValidator(name)) {
            super.setHeader(name, value);
        }
    }

    @Override
    public void addHeader(String name, String value) {
        if (!isLengthOrValidator(name)) {
            super.addHeader(name, value);
        }
    }

    @Override
    public void setDateHeader(String name, long date) {
        if (!isLengthOrValidator(name)) {
            super.setDateHeader(name, date);
        }
    }

    @Override
    public void addDateHeader(String name, long date) {
        if (!isLengthOrValidator(name)) {
            super.addDateHeader(name, date);
        }
    }

    private static boolean isLengthOrValidator(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.equals("content-length") || n.equals("etag") || n.equals("last-modified") || n.equals("accept-ranges");
    }

    @Override
    public ServletOutputStream getOutputStream() {
        if (writer != null) {
            throw new IllegalStateException("getWriter() was called");
        }
        if (stream == null) {
            stream = new ServletOutputStream() {
                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setWriteListener(WriteListener listener) {
                    throw new UnsupportedOperationException("manifests are captured synchronously");
                }

                @Override
                public void write(int b) {
                    buffer.write(b);
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    buffer.write(b, off, len);
                }
            };
        }
        return stream;
    }

    @Override
    public PrintWriter getWriter() {
        if (stream != null) {
            throw new IllegalStateException("getOutputStream() was called");
        }
        if (writer == null) {
            String encoding = getCharacterEncoding();
            Charset charset = encoding == null ? StandardCharsets.UTF_8 : Charset.forName(encoding);
            writer = new PrintWriter(new OutputStreamWriter(buffer, charset));
        }
        return writer;
    }

    @Override
    public void flushBuffer() {
        // Nothing may reach the client before the rewrite.
    }

    @Override
    public void resetBuffer() {
        buffer.reset();
    }

    @Override
    public void reset() {
        buffer.reset();
        super.reset();
    }

    /** Rewrites what the server wrote and sends it. */
    void finish(HttpServletRequest request, MediaPath media, String credential, ManifestRewriting rewriting) throws IOException {
        if (writer != null) {
            writer.flush();
        }
        HttpServletResponse response = (HttpServletResponse) getResponse();
        if (response.isCommitted()) {
            return; // an error page was sent by the container
        }
        if (buffer.overflow) {
            response.resetBuffer();
            response.sendError(HttpServletResponse.SC_BAD_GATEWAY, "Manifest larger than usher.filter.max-manifest-bytes (" + limit + ")");
            return;
        }
        byte[] body = buffer.toByteArray();
        if (status == SC_OK && !"HEAD".equals(request.getMethod())) {
            try {
                body = rewriting.rewrite(media.kind(), body, request.getRequestURL().toString(), credential);
            } catch (ManifestRewriting.RewriteException e) {
                response.resetBuffer();
                response.sendError(HttpServletResponse.SC_BAD_GATEWAY, "Manifest not rewritable: " + e.getMessage());
                return;
            }
        }
        UsherFilter.noStore(response);
        if (!"HEAD".equals(request.getMethod())) {
            response.setContentLength(body.length);
            response.getOutputStream().write(body);
        }
    }
}
