package dev.usher.servlet;

import dev.usher.core.http.Admission;
import dev.usher.core.http.MediaHeaders;
import dev.usher.core.http.MediaRequestView;
import dev.usher.core.http.MediaLayout;
import dev.usher.core.http.Refusal;
import dev.usher.core.log.LogText;
import dev.usher.core.media.MediaPath;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.MappingMatch;

import java.io.IOException;
import java.util.Collections;
import java.util.List;

/**
 * Guards protected media. A request below a protected prefix is served only when it carries
 * <ul>
 * <li>{@code key} and {@code pass} of a ticket that admits it (an <em>entry</em>: the decision is
 *     the core's, and consumes a use only when it starts a playback), or</li>
 * <li>a valid playback credential {@code uc} (a <em>child</em> of a granted manifest: checked from
 *     the credential alone, and against the revocation watch, never the repository).</li>
 * </ul>
 * Manifests served under a grant are rewritten so that every child URI carries a credential.
 * Anything else is refused with 403 and the reason as a short text; ambiguous paths with 400.
 * Forwards, includes, async and error dispatches to protected paths are served only for the path
 * the original request was granted.
 *
 * <p>Registered for {@code /*} by the jar's {@code web-fragment.xml}; it decides itself which paths
 * are protected ({@code usher.filter.paths}), so it also sees case variants of them.
 */
public class UsherFilter implements Filter {

    private static final System.Logger LOG = System.getLogger("dev.usher.filter");
    /** Refusals at a bounded rate: a flood of refused requests must not become a flood of log lines. */
    private static final dev.usher.core.log.RefusalLog REFUSALS = dev.usher.core.log.RefusalLog.every10Seconds(LOG);

    /** Request attribute naming the path a REQUEST dispatch was granted, for later dispatches. */
    static final String GRANTED_PATH = UsherFilter.class.getName() + ".granted";

    private UsherRuntime runtime;

    @Override
    public void init(FilterConfig config) throws ServletException {
        try {
            runtime = UsherRuntime.of(config.getServletContext(), config::getInitParameter,
                    java.util.Collections.list(config.getInitParameterNames()));
        } catch (RuntimeException e) {
            // Stops the deployment: a guard that can't start must not let the media out unguarded.
            throw new ServletException(e.getMessage(), e);
        }
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
        if (!(req instanceof HttpServletRequest request) || !(res instanceof HttpServletResponse response)) {
            chain.doFilter(req, res);
            return;
        }
        String path = targetPath(request);
        MediaLayout layout = runtime.mediaLayout();
        MediaLayout.Match match = layout.match(path);
        if (match == MediaLayout.Match.UNPROTECTED) {
            chain.doFilter(request, response);
            return;
        }
        if (match == MediaLayout.Match.AMBIGUOUS) {
            refuse(response, Refusal.badRequest("Ambiguous path"), request, path);
            return;
        }
        if (request.getDispatcherType() != DispatcherType.REQUEST) {
            if (path.equals(request.getAttribute(GRANTED_PATH))) {
                chain.doFilter(request, response);
            } else {
                refuse(response, Refusal.forbidden(), request, path);
            }
            return;
        }
        String method = request.getMethod();
        if (!method.equals("GET") && !method.equals("HEAD")) {
            refuse(response, Refusal.methodNotAllowed(), request, path);
            return;
        }
        String problem = PathGuard.problem(request.getRequestURI(), request.getContextPath(), path);
        if (problem != null) {
            refuse(response, Refusal.badRequest("Ambiguous path (" + problem + ")"), request, path);
            return;
        }
        // The policy is the core's; this filter only translates the servlet request and response.
        Admission admission = runtime.admission().admit(layout.parse(path), request.getRemoteAddr(),
                new ServletRequestView(request));
        if (admission instanceof Admission.Refused refused) {
            refuse(response, refused.refusal(), request, path);
            return;
        }
        try (Admission.Granted granted = (Admission.Granted) admission) {
            serve(request, response, chain, path, granted);
        }
    }

    /** The two questions the core's policy asks of a servlet request. */
    private record ServletRequestView(HttpServletRequest request) implements MediaRequestView {
        @Override
        public String rawQuery() {
            return request.getQueryString();
        }

        @Override
        public List<String> headers(String name) {
            return Collections.list(request.getHeaders(name));
        }

        /** The container's first value as it is: no enumeration copied into a list on every segment. */
        @Override
        public String header(String name) {
            return request.getHeader(name);
        }
    }

    private void serve(HttpServletRequest request, HttpServletResponse response, FilterChain chain, String path,
                       Admission.Granted granted) throws IOException, ServletException {
        request.setAttribute(GRANTED_PATH, path);
        if (granted.openedPlayback() && missingFile(request, path)) {
            granted.failed(HttpServletResponse.SC_NOT_FOUND);
            refuse(response, Refusal.notFound(), request, path);
            return;
        }
        // A request Usher could not serve costs no use: the use is given back as soon as a failing
        // status is set, by the servlet serving the file or by the manifest capture's 502, before
        // the client sees it. An exception (the container answers 500) counts only while nothing
        // was sent: a client that drops the connection in the middle of a file has been served part
        // of it and must not get its use back.
        HttpServletResponse served = granted.openedPlayback() ? new ReleaseOnFailure(response, granted) : response;
        boolean completed = false;
        try {
            if (!granted.isManifest()) {
                if (granted.isEntry()) {
                    noStore(response);
                }
                chain.doFilter(request, served);
            } else {
                MediaPath media = granted.media();
                ManifestCapture capture = new ManifestCapture(served, runtime.manifests());
                chain.doFilter(new FullBodyRequest(request), capture);
                ManifestCapture.Outcome outcome = capture.finish(request, media, granted.credential());
                String told = outcome.name().toLowerCase(java.util.Locale.ROOT);
                runtime.service().tell(l -> l.manifestRewritten(media.kind(), told));
            }
            completed = true;
        } finally {
            if (served instanceof ReleaseOnFailure watch) {
                int status = completed ? response.getStatus()
                        : response.isCommitted() ? HttpServletResponse.SC_OK : HttpServletResponse.SC_INTERNAL_SERVER_ERROR;
                watch.failed(status);
            }
        }
    }

    /**
     * Whether the container's default servlet, which serves this request, has no such file. Only
     * the default servlet serves the context's resources, so for any other servlet (a live stream,
     * an application's own) nothing is known before it runs, and its status is what counts. Asked
     * after the decision, never before: a 404 to a request without a valid ticket would tell anyone
     * which files exist.
     */
    private static boolean missingFile(HttpServletRequest request, String path) {
        if (request.getHttpServletMapping() == null
                || request.getHttpServletMapping().getMappingMatch() != MappingMatch.DEFAULT) {
            return false;
        }
        try {
            return request.getServletContext().getResource(path) == null;
        } catch (java.net.MalformedURLException e) {
            return true;
        }
    }

    /** @return the path below the context that this dispatch targets */
    static String targetPath(HttpServletRequest request) {
        if (request.getDispatcherType() == DispatcherType.INCLUDE) {
            String servletPath = (String) request.getAttribute(RequestDispatcher.INCLUDE_SERVLET_PATH);
            String pathInfo = (String) request.getAttribute(RequestDispatcher.INCLUDE_PATH_INFO);
            return (servletPath == null ? "" : servletPath) + (pathInfo == null ? "" : pathInfo);
        }
        // no copy when one part is the whole path (a servlet mapped to "/" has no path info; "/*" no servlet path)
        String servletPath = request.getServletPath();
        if (servletPath == null) {
            servletPath = ""; // never null by the spec; a wrapper's null is read as "/*" would have it
        }
        String pathInfo = request.getPathInfo();
        return pathInfo == null ? servletPath : servletPath.isEmpty() ? pathInfo : servletPath + pathInfo;
    }

    static void noStore(HttpServletResponse response) {
        response.setHeader("Cache-Control", MediaHeaders.PRIVATE_NO_STORE);
    }

    private static void refuse(HttpServletResponse response, Refusal refusal, HttpServletRequest request, String path)
            throws IOException {
        int status = refusal.status();
        String reason = refusal.reason();
        REFUSALS.refused(status + " " + reason, () -> "refused " + status + " " + reason + ": " + request.getMethod() + " "
                + LogText.safe(path) + " from " + request.getRemoteAddr());
        if (response.isCommitted()) {
            return;
        }
        response.resetBuffer();
        send(response, refusal, request);
    }

    /** Writes a refusal onto a response that is not committed: its status, headers and short text. */
    static void send(HttpServletResponse response, Refusal refusal, HttpServletRequest request) throws IOException {
        response.setStatus(refusal.status());
        refusal.headers().forEach(response::setHeader);
        response.setContentType(Refusal.CONTENT_TYPE);
        byte[] body = refusal.body();
        response.setContentLength(body.length);
        if (!"HEAD".equals(request.getMethod())) {
            response.getOutputStream().write(body);
        }
    }
}
