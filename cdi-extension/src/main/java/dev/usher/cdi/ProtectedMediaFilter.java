package dev.usher.cdi;

import dev.usher.core.credential.PlaybackCredentials;
import dev.usher.core.guard.MediaGuard;
import dev.usher.core.manifest.Rewritten;
import dev.usher.core.media.MediaPath;
import dev.usher.core.net.IpAddress;
import dev.usher.servlet.ManifestRewriting;
import dev.usher.servlet.UsherRuntime;
import jakarta.annotation.Priority;
import jakarta.enterprise.inject.spi.CDI;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.WriterInterceptor;
import jakarta.ws.rs.ext.WriterInterceptorContext;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;

/**
 * The JAX-RS side of {@link ProtectedMedia}: decides the request with the same {@link MediaGuard}
 * as the servlet filter and rewrites a granted manifest as it is written.
 */
@Priority(Priorities.AUTHORIZATION)
public class ProtectedMediaFilter implements ContainerRequestFilter, WriterInterceptor {

    /** Request property holding the credential for a granted manifest's children. */
    static final String CREDENTIAL = ProtectedMediaFilter.class.getName() + ".credential";
    static final String MEDIA = ProtectedMediaFilter.class.getName() + ".media";
    /** Servlet request attribute: this filter granted the request (clients cannot set attributes). */
    static final String GRANTED = ProtectedMediaFilter.class.getName() + ".granted";

    private final String app;
    private final String video;

    public ProtectedMediaFilter(String app, String video) {
        this.app = app;
        this.video = video;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        MultivaluedMap<String, String> params = request.getUriInfo().getPathParameters();
        String path = request.getUriInfo().getPath();
        path = path.startsWith("/") ? path.substring(1) : path;
        String resolvedApp = app.isEmpty() ? null : expand(app, params);
        MediaPath media = resolvedApp == null ? MediaPath.parse(path, null) : MediaPath.parse(path, resolvedApp);
        if (media != null && !video.isEmpty()) {
            String v = expand(video, params);
            String file = media.path().substring(media.path().lastIndexOf('/') + 1);
            media = new MediaPath(media.app(), media.kind().isManifest() ? v + "/" + file : v, media.kind());
        }
        if (media == null) {
            refuse(request, "Forbidden");
            return;
        }
        MultivaluedMap<String, String> query = request.getUriInfo().getQueryParameters();
        for (String name : List.of("key", "pass", PlaybackCredentials.PARAMETER, MediaGuard.REFURL)) {
            if (query.containsKey(name) && query.get(name).size() > 1) {
                refuse(request, "Ambiguous query (" + name + " given twice)");
                return;
            }
        }
        UsherRuntime runtime = CDI.current().select(UsherRuntime.class).get();
        HttpServletRequest servlet = CDI.current().select(HttpServletRequest.class).get();
        IpAddress client = runtime.clientAddress(servlet.getRemoteAddr(), name -> header(request, name));
        MediaGuard.Verdict verdict;
        try {
            verdict = runtime.guard().decide(media, query.getFirst("key"), query.getFirst("pass"),
                    query.getFirst(PlaybackCredentials.PARAMETER), client, request.getHeaderString("Referer"),
                    query.getFirst(MediaGuard.REFURL));
        } catch (RuntimeException e) {
            request.abortWith(Response.status(Response.Status.SERVICE_UNAVAILABLE).entity("Temporarily unavailable\n")
                    .type("text/plain;charset=UTF-8").header("Cache-Control", "no-store").build());
            return;
        }
        if (!verdict.granted()) {
            refuse(request, verdict.reason());
            return;
        }
        // What MediaFiles checks before it sends a byte: this request was decided and granted.
        servlet.setAttribute(GRANTED, Boolean.TRUE);
        if (verdict.credential() != null) {
            request.setProperty(CREDENTIAL, verdict.credential());
            request.setProperty(MEDIA, media);
            request.setProperty(ProtectedMediaFilter.class.getName() + ".url", request.getUriInfo().getRequestUri());
        }
    }

    private static List<String> header(ContainerRequestContext request, String name) {
        List<String> values = request.getHeaders().get(name);
        return values == null ? List.of() : values;
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

    private static void refuse(ContainerRequestContext request, String reason) {
        request.abortWith(Response.status(Response.Status.FORBIDDEN).entity(reason + "\n").type("text/plain;charset=UTF-8")
                .header("Cache-Control", "no-store").build());
    }

    @Override
    public void aroundWriteTo(WriterInterceptorContext context) throws IOException, WebApplicationException {
        Object credential = context.getProperty(CREDENTIAL);
        if (credential == null) {
            context.proceed();
            return;
        }
        MediaPath media = (MediaPath) context.getProperty(MEDIA);
        ManifestRewriting manifests = CDI.current().select(UsherRuntime.class).get().manifests();
        // Bounded as in the filter: a slot per manifest in flight, a bounded capture, a bounded rewrite.
        ManifestRewriting.Permit permit = manifests.tryAcquire();
        if (permit == null) {
            throw new WebApplicationException(Response.status(Response.Status.SERVICE_UNAVAILABLE)
                    .entity("Too many manifests in progress, retry\n").type("text/plain;charset=UTF-8")
                    .header("Retry-After", "1").header("Cache-Control", "no-store").build());
        }
        try (permit) {
            OutputStream original = context.getOutputStream();
            ManifestRewriting.BoundedBuffer buffer = new ManifestRewriting.BoundedBuffer(manifests.maxBytes());
            context.setOutputStream(buffer);
            context.proceed();
            if (buffer.overflowed()) {
                throw badGateway("Manifest larger than usher.filter.max-manifest-bytes (" + manifests.maxBytes() + ")");
            }
            java.net.URI url = (java.net.URI) context.getProperty(ProtectedMediaFilter.class.getName() + ".url");
            Rewritten rewritten;
            try {
                rewritten = manifests.rewrite(media.kind(), buffer.take(), url.toString(), (String) credential);
            } catch (ManifestRewriting.RewriteException e) {
                throw badGateway("Manifest not rewritable: " + e.getMessage());
            }
            context.getHeaders().putSingle("Cache-Control", "private, no-store");
            context.getHeaders().putSingle("Content-Length", String.valueOf(rewritten.length()));
            context.getHeaders().remove("ETag");
            context.getHeaders().remove("Last-Modified");
            rewritten.writeTo(original);
            context.setOutputStream(original);
        }
    }

    private static WebApplicationException badGateway(String reason) {
        return new WebApplicationException(Response.status(Response.Status.BAD_GATEWAY).entity(reason + "\n")
                .type("text/plain;charset=UTF-8").header("Cache-Control", "no-store").build());
    }
}
