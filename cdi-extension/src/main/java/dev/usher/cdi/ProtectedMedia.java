package dev.usher.cdi;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Puts a JAX-RS resource class or method that serves media behind the same decision as the
 * servlet filter: a request needs {@code key} and {@code pass} of a ticket that admits it (one use
 * per playback) or a playback credential {@code uc}; manifests it returns are rewritten so their
 * children carry credentials. Refusals are 403 with the reason.
 *
 * <pre>{@code
 * @GET @Path("/live/{stream}/{file}")
 * @ProtectedMedia(app = "live", video = "{stream}")
 * public Response file(@PathParam("stream") String stream, @PathParam("file") String file) { … }
 * }</pre>
 *
 * Values may name path parameters in braces.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface ProtectedMedia {

    /** The application; empty: the first segment of the request path. */
    String app() default "";

    /**
     * The video the ticket must allow; empty: derived from the request path as the filter does
     * (a file is its own video, a manifest's video is its folder). When set, credentials issued
     * for a manifest cover the requests under this video.
     */
    String video() default "";
}
