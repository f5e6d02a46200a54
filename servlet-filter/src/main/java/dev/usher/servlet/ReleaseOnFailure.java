package dev.usher.servlet;

import dev.usher.core.http.Admission;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;

import java.io.IOException;

/**
 * The response of an entry that opened a playback: the moment a status of 400 or more is set
 * (by the servlet that serves the file, or by the manifest capture's 502), the playback's use and
 * slot are given back, before the status reaches the client. Given back afterwards, a client that
 * reads its ticket as soon as it has the answer could still see the use spent.
 */
final class ReleaseOnFailure extends HttpServletResponseWrapper {

    private final Admission.Granted granted;

    ReleaseOnFailure(HttpServletResponse response, Admission.Granted granted) {
        super(response);
        this.granted = granted;
    }

    @Override
    public void setStatus(int sc) {
        failed(sc);
        super.setStatus(sc);
    }

    @Override
    public void sendError(int sc) throws IOException {
        failed(sc);
        super.sendError(sc);
    }

    @Override
    public void sendError(int sc, String msg) throws IOException {
        failed(sc);
        super.sendError(sc, msg);
    }

    /**
     * Gives the use back for a failure the wrapper did not see set (an exception before the first
     * byte); the grant gives it back at most once, and only for 400 or more.
     */
    void failed(int status) {
        granted.failed(status);
    }
}
