package dev.usher.cdi;

import dev.usher.core.http.Admission;
import dev.usher.core.http.ManifestBuffer;
import dev.usher.core.http.ManifestRewriteService;
import dev.usher.core.http.MediaHeaders;
import dev.usher.core.http.MediaRequestView;
import dev.usher.core.http.Refusal;
import dev.usher.core.log.LogText;
import dev.usher.core.log.RefusalLog;
import dev.usher.core.media.MediaPath;
import dev.usher.servlet.UsherRuntime;
import jakarta.annotation.Priority;
import jakarta.enterprise.inject.spi.CDI;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.WriterInterceptor;
import jakarta.ws.rs.ext.WriterInterceptorContext;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;

/**
 * The JAX-RS side of {@link ProtectedMedia}: a thin transport of the core's policy
 * ({@link dev.usher.core.http.MediaAdmission}), the one the servlet filter asks too. The request
 * filter finds the media path from the annotation and has the policy decide; a granted manifest's
 * resource no longer sees Range or {@code If-*} (the manifest is read whole), and what it writes is
 * rewritten as it is written. The response filter gives a failed answer's use back (400 or more),
 * and frees the manifest's slot when nothing is to be rewritten.
 */
@Priority(Priorities.AUTHORIZATION)
public class ProtectedMediaFilter implements ContainerRequestFilter, ContainerResponseFilter, WriterInterceptor {

    /** Request property holding the {@link Admission.Granted} of a granted request until its answer is written. */
    static final String ADMISSION = ProtectedMediaFilter.class.getName() + ".admission";
    private static final String URL = ProtectedMediaFilter.class.getName() + ".url";
    /** Servlet request attribute: this filter granted the request (clients cannot set attributes). */
    static final String GRANTED = ProtectedMediaFilter.class.getName() + ".granted";

    /** Refusals at a bounded rate, as the servlet filter logs its own. */
    private static final RefusalLog REFUSALS = RefusalLog.every10Seconds(System.getLogger("dev.usher.cdi"));

    private final String app;
    private final String video;

    public ProtectedMediaFilter(String app, String video) {
        this.app = app;
        this.video = video;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        UsherRuntime runtime = CDI.current().select(UsherRuntime.class).get();
        HttpServletRequest servlet = CDI.current().select(HttpServletRequest.class).get();
        Admission admission = runtime.admission().admit(media(request), servlet.getRemoteAddr(), new JaxRsRequestView(request));
        if (admission instanceof Admission.Refused refused) {
            Refusal r = refused.refusal();
            REFUSALS.refused(r.status() + " " + r.reason(), () -> "refused " + r.status() + " " + r.reason() + ": "
                    + request.getMethod() + " " + LogText.safe(request.getUriInfo().getPath()) + " from " + servlet.getRemoteAddr());
            request.abortWith(response(r));
            return;
        }
        Admission.Granted granted = (Admission.Granted) admission;
        // Closed at the end of the request whatever happens (an exception no mapper answers skips the filters below).
        CDI.current().select(ProtectedMediaGrant.class).get().hold(granted);
        // What MediaFiles checks before it sends a byte: this request was decided and granted.
        servlet.setAttribute(GRANTED, Boolean.TRUE);
        request.setProperty(ADMISSION, granted);
        if (granted.isManifest()) {
            // Read whole, or it can't be rewritten: no range, no 304, no compressed body.
            request.getHeaders().keySet().removeIf(MediaHeaders::isHiddenFromManifestRequest);
            request.setProperty(URL, request.getUriInfo().getRequestUri());
        }
    }

    /** The media path the annotation names for this request, or null when it names none. */
    private MediaPath media(ContainerRequestContext request) {
        MultivaluedMap<String, String> params = request.getUriInfo().getPathParameters();
        String path = request.getUriInfo().getPath();
        path = path.startsWith("/") ? path.substring(1) : path;
        String resolvedApp = app.isEmpty() ? null : expand(app, params);
        MediaPath media = MediaPath.parse(path, resolvedApp);
        if (media != null && !video.isEmpty()) {
            String v = expand(video, params);
            String file = media.path().substring(media.path().lastIndexOf('/') + 1);
            media = new MediaPath(media.app(), media.kind().isManifest() ? v + "/" + file : v, media.kind());
        }
        return media;
    }

    /** The two questions the core's policy asks of a JAX-RS request. */
    private record JaxRsRequestView(ContainerRequestContext request) implements MediaRequestView {
        @Override
        public String rawQuery() {
            return request.getUriInfo().getRequestUri().getRawQuery();
        }

        @Override
        public List<String> headers(String name) {
            List<String> values = request.getHeaders().get(name);
            return values == null ? List.of() : values;
        }
    }

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        if (!(request.getProperty(ADMISSION) instanceof Admission.Granted granted)) {
            return;
        }
        int status = response.getStatus();
        granted.failed(status); // 400 or more: the use goes back before the client sees the status
        if (granted.isEntry() || granted.isManifest()) {
            response.getHeaders().putSingle("Cache-Control", MediaHeaders.PRIVATE_NO_STORE);
        }
        if (!granted.isManifest() || status != 200 || !response.hasEntity() || "HEAD".equals(request.getMethod())) {
            // Nothing to rewrite: the answer goes out as it is, and the slot is free now.
            request.removeProperty(ADMISSION);
            granted.close();
        }
    }

    private static String expand(String template, MultivaluedMap<String, String> params) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < template.length()) {
            int open = template.indexOf('{', i);
            if (open < 0) {
                out.append(template, i, template.length());
                break;
            }
            int close = template.indexOf('}', open);
            if (close < 0) {
                throw new IllegalStateException("unclosed { in @ProtectedMedia value '" + template + "'");
            }
            out.append(template, i, open);
            String value = params.getFirst(template.substring(open + 1, close));
            if (value == null) {
                throw new IllegalStateException("@ProtectedMedia names an unknown path parameter in '" + template + "'");
            }
            out.append(value);
            i = close + 1;
        }
        return out.toString();
    }

    /** @return the refusal as JAX-RS answers it: the same status, text and headers as the servlet filter's */
    static Response response(Refusal refusal) {
        Response.ResponseBuilder answer = Response.status(refusal.status()).entity(refusal.body()).type(Refusal.CONTENT_TYPE);
        refusal.headers().forEach(answer::header);
        return answer.build();
    }

    @Override
    public void aroundWriteTo(WriterInterceptorContext context) throws IOException, WebApplicationException {
        if (!(context.getProperty(ADMISSION) instanceof Admission.Granted granted)) {
            context.proceed();
            return;
        }
        context.removeProperty(ADMISSION); // once: a refusal written below is not captured again
        try (granted) {
            ManifestRewriteService manifests = CDI.current().select(UsherRuntime.class).get().manifests();
            OutputStream original = context.getOutputStream();
            ManifestBuffer buffer = manifests.buffer();
            context.setOutputStream(buffer);
            context.proceed();
            context.setOutputStream(original);
            java.net.URI url = (java.net.URI) context.getProperty(URL);
            ManifestRewriteService.Answer answer = manifests.answer(200, false, buffer, granted.media().kind(),
                    url.toString(), granted.credential());
            if (answer instanceof ManifestRewriteService.Refused refused) {
                granted.failed(refused.refusal().status());
                throw new WebApplicationException(response(refused.refusal()));
            }
            MultivaluedMap<String, Object> headers = context.getHeaders();
            headers.keySet().removeIf(MediaHeaders::isDroppedFromRewritten);
            headers.putSingle("Cache-Control", MediaHeaders.PRIVATE_NO_STORE);
            if (answer instanceof ManifestRewriteService.Rewrote rewrote) {
                headers.putSingle("Content-Length", String.valueOf(rewrote.manifest().length()));
                rewrote.manifest().writeTo(original);
            } else {
                byte[] body = ((ManifestRewriteService.Passed) answer).body();
                headers.putSingle("Content-Length", String.valueOf(body.length));
                original.write(body);
            }
        }
    }
}
