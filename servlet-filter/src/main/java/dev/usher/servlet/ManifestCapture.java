package dev.usher.servlet;

import dev.usher.core.http.ManifestBuffer;
import dev.usher.core.http.ManifestRewriteService;
import dev.usher.core.http.MediaHeaders;
import dev.usher.core.http.Refusal;
import dev.usher.core.log.LogText;
import dev.usher.core.manifest.Rewritten;
import dev.usher.core.media.MediaPath;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * Holds back a manifest the server writes, so the filter can rewrite it before anything reaches
 * the client. Bounded: a manifest over the limit is refused, not streamed unrewritten (its children
 * would carry no credentials, and a huge body would only waste memory); so is one whose rewritten
 * form would be over the limit. {@link #finish} is the one place the answer is decided.
 */
final class ManifestCapture extends HttpServletResponseWrapper {

    private static final System.Logger LOG = System.getLogger("dev.usher.filter");

    /** What {@link #finish} did with the manifest. */
    enum Outcome {
        /** The rewritten manifest was sent (200, exact Content-Length). */
        REWRITTEN,
        /** The server's own answer went out as it was: an error status, HEAD, or a committed error page. */
        PASSED,
        /** Usher could not serve it: 502 (too large, rewritten too large, or not rewritable); nothing of it was sent. */
        REFUSED
    }

    private final ManifestRewriteService manifests;
    private final ManifestBuffer buffer;
    private ServletOutputStream stream;
    private PrintWriter writer;
    private int status = SC_OK;

    ManifestCapture(HttpServletResponse response, ManifestRewriteService manifests) {
        super(response);
        this.manifests = manifests;
        this.buffer = manifests.buffer();
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
        return MediaHeaders.isDroppedFromRewritten(name);
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

    /**
     * Rewrites what the server wrote and sends it, or refuses it. Nothing has reached the client
     * before this; a refusal sends only its own short 502.
     *
     * @return what was sent
     */
    Outcome finish(HttpServletRequest request, MediaPath media, String credential) throws IOException {
        if (writer != null) {
            writer.flush();
        }
        HttpServletResponse response = (HttpServletResponse) getResponse();
        if (response.isCommitted()) {
            return Outcome.PASSED; // an error page was sent by the container
        }
        boolean head = "HEAD".equals(request.getMethod());
        ManifestRewriteService.Answer answer = manifests.answer(status, head, buffer, media.kind(),
                request.getRequestURL().toString(), credential);
        if (answer instanceof ManifestRewriteService.Passed passed) {
            UsherFilter.noStore(response);
            if (!head) {
                response.setContentLength(passed.body().length);
                response.getOutputStream().write(passed.body());
            }
            return Outcome.PASSED;
        }
        if (answer instanceof ManifestRewriteService.Refused refused) {
            return refuse(request, response, refused.refusal());
        }
        Rewritten rewritten = ((ManifestRewriteService.Rewrote) answer).manifest();
        UsherFilter.noStore(response);
        response.setContentLengthLong(rewritten.length());
        rewritten.writeTo(response.getOutputStream());
        return Outcome.REWRITTEN;
    }

    /** The single exit for a manifest Usher can't serve: 502 with a short text, none of the manifest. */
    private static Outcome refuse(HttpServletRequest request, HttpServletResponse response, Refusal refusal)
            throws IOException {
        LOG.log(System.Logger.Level.INFO, () -> "refused " + refusal.status() + " " + LogText.safe(refusal.reason()) + ": "
                + request.getMethod() + " " + LogText.safe(request.getRequestURI()));
        response.reset(); // the server's Content-Type, validators and status go too
        UsherFilter.send(response, refusal, request);
        return Outcome.REFUSED;
    }
}
