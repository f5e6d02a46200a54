package dev.usher.servlet;

import dev.usher.core.credential.PlaybackCredentials;
import dev.usher.core.guard.MediaGuard;
import dev.usher.core.log.LogText;
import dev.usher.core.media.MediaPath;
import dev.usher.core.net.IpAddress;
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
import java.nio.charset.StandardCharsets;
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
        FilterSettings settings = runtime.filterSettings();
        String path = targetPath(request);
        FilterSettings.Match match = settings.match(path);
        if (match == FilterSettings.Match.UNPROTECTED) {
            chain.doFilter(request, response);
            return;
        }
        if (match == FilterSettings.Match.AMBIGUOUS) {
            refuse(response, HttpServletResponse.SC_BAD_REQUEST, "Ambiguous path", request, path);
            return;
        }
        if (request.getDispatcherType() != DispatcherType.REQUEST) {
            if (path.equals(request.getAttribute(GRANTED_PATH))) {
                chain.doFilter(request, response);
            } else {
                refuse(response, HttpServletResponse.SC_FORBIDDEN, "Forbidden", request, path);
            }
            return;
        }
        String method = request.getMethod();
        if (!method.equals("GET") && !method.equals("HEAD")) {
            response.setHeader("Allow", "GET, HEAD");
            refuse(response, HttpServletResponse.SC_METHOD_NOT_ALLOWED, "Method Not Allowed", request, path);
            return;
        }
        String problem = PathGuard.problem(request.getRequestURI(), request.getContextPath(), path);
        if (problem != null) {
            refuse(response, HttpServletResponse.SC_BAD_REQUEST, "Ambiguous path (" + problem + ")", request, path);
            return;
        }
        MediaPath media = MediaPath.parse(settings.underPrefix(path), settings.fixedApp());
        if (media == null) {
            refuse(response, HttpServletResponse.SC_FORBIDDEN, "Forbidden", request, path);
            return;
        }
        TicketParameters params;
        try {
            params = TicketParameters.parse(request.getQueryString(), PlaybackCredentials.PARAMETER);
        } catch (TicketParameters.AmbiguousQueryException e) {
            refuse(response, HttpServletResponse.SC_BAD_REQUEST, "Ambiguous query (" + e.getMessage() + ")", request, path);
            return;
        }
        if (!media.kind().isManifest()) {
            decideAndServe(request, response, chain, path, media, params);
            return;
        }
        // A manifest holds memory while it is read and rewritten: their number is bounded. The slot
        // is taken before the decision, so a request turned away here consumes no use.
        ManifestRewriting.Permit permit = runtime.manifests().tryAcquire();
        if (permit == null) {
            response.setHeader("Retry-After", "1");
            refuse(response, HttpServletResponse.SC_SERVICE_UNAVAILABLE, "Too many manifests in progress, retry",
                    request, path);
            return;
        }
        try (permit) {
            decideAndServe(request, response, chain, path, media, params);
        }
    }

    private void decideAndServe(HttpServletRequest request, HttpServletResponse response, FilterChain chain, String path,
                                MediaPath media, TicketParameters params) throws IOException, ServletException {
        FilterSettings settings = runtime.filterSettings();
        IpAddress client = runtime.clientAddress(request.getRemoteAddr(), name -> headers(request, name));
        MediaGuard.Verdict verdict;
        try {
            // pageurl is the page that plays (its Referer); refurl how the viewer reached it (a parameter).
            verdict = runtime.guard().decide(media, params.key(), params.pass(), params.credential(), client,
                    request.getHeader("Referer"), params.refUrl());
        } catch (RuntimeException e) {
            // A repository that fails (a database down) refuses; it never grants.
            LOG.log(System.Logger.Level.ERROR, "playback decision failed; refusing", e);
            refuse(response, HttpServletResponse.SC_SERVICE_UNAVAILABLE, "Temporarily unavailable", request, path);
            return;
        }
        if (!verdict.granted()) {
            refuse(response, HttpServletResponse.SC_FORBIDDEN, verdict.reason(), request, path);
            return;
        }
        request.setAttribute(GRANTED_PATH, path);
        if (verdict.openedPlayback() && missingFile(request, path)) {
            release(verdict, HttpServletResponse.SC_NOT_FOUND);
            refuse(response, HttpServletResponse.SC_NOT_FOUND, "Not Found", request, path);
            return;
        }
        // A request Usher could not serve costs no use: the use is given back as soon as a failing
        // status is set, by the servlet serving the file or by the manifest capture's 502, before
        // the client sees it. An exception (the container answers 500) counts only while nothing
        // was sent: a client that drops the connection in the middle of a file has been served part
        // of it and must not get its use back.
        HttpServletResponse served = verdict.openedPlayback()
                ? new ReleaseOnFailure(response, status -> release(verdict, status)) : response;
        boolean completed = false;
        try {
            if (!media.kind().isManifest()) {
                if (params.key() != null) {
                    noStore(response);
                }
                chain.doFilter(request, served);
            } else {
                ManifestCapture capture = new ManifestCapture(served, settings.maxManifestBytes());
                chain.doFilter(new FullBodyRequest(request), capture);
                ManifestCapture.Outcome outcome = capture.finish(request, media, verdict.credential(), runtime.manifests());
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

    private void release(MediaGuard.Verdict verdict, int status) {
        try {
            runtime.guard().release(verdict, status);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "could not give back the use of a request that was not served", e);
        }
    }

    /** @return the path below the context that this dispatch targets */
    static String targetPath(HttpServletRequest request) {
        if (request.getDispatcherType() == DispatcherType.INCLUDE) {
            String servletPath = (String) request.getAttribute(RequestDispatcher.INCLUDE_SERVLET_PATH);
            String pathInfo = (String) request.getAttribute(RequestDispatcher.INCLUDE_PATH_INFO);
            return (servletPath == null ? "" : servletPath) + (pathInfo == null ? "" : pathInfo);
        }
        String pathInfo = request.getPathInfo();
        return request.getServletPath() + (pathInfo == null ? "" : pathInfo);
    }

    private static List<String> headers(HttpServletRequest request, String name) {
        return Collections.list(request.getHeaders(name));
    }

    static void noStore(HttpServletResponse response) {
        response.setHeader("Cache-Control", "private, no-store");
    }

    private static void refuse(HttpServletResponse response, int status, String reason, HttpServletRequest request,
                               String path) throws IOException {
        REFUSALS.refused(status + " " + reason, () -> "refused " + status + " " + reason + ": " + request.getMethod() + " "
                + LogText.safe(path) + " from " + request.getRemoteAddr());
        if (response.isCommitted()) {
            return;
        }
        response.resetBuffer();
        response.setStatus(status);
        response.setHeader("Cache-Control", "no-store");
        response.setHeader("X-Content-Type-Options", "nosniff");
        response.setContentType("text/plain;charset=UTF-8");
        byte[] body = (reason + "\n").getBytes(StandardCharsets.UTF_8);
        response.setContentLength(body.length);
        if (!"HEAD".equals(request.getMethod())) {
            response.getOutputStream().write(body);
        }
    }
}
