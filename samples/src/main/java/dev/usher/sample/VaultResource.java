package dev.usher.sample;

import dev.usher.cdi.MediaFiles;
import dev.usher.cdi.ProtectedMedia;
import jakarta.servlet.ServletContext;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;

import java.io.InputStream;
import java.net.MalformedURLException;
import java.net.URL;

/**
 * Media served by a JAX-RS resource rather than by the container: {@link ProtectedMedia} puts it
 * behind the same decision as the servlet filter. {@code GET /api/vault/demo.mp4?key=…&pass=…} needs
 * a ticket for the video {@code mp4/demo.mp4} of {@code demo-vod}; without one it is 403. A Range
 * request is answered 206 with that part, as the container does for its static files.
 */
@Path("vault")
public class VaultResource {

    @GET
    @Path("{file: [A-Za-z0-9_-]+[.]mp4}")
    @ProtectedMedia(app = Catalog.APP, video = "mp4/{file}")
    public Response file(@PathParam("file") String file, @Context ServletContext context, @Context HttpHeaders headers)
            throws MalformedURLException {
        // MediaFiles answers Range with 206 (Safari and iOS play nothing otherwise), If-Range and 416.
        URL resource = context.getResource("/media/" + Catalog.APP + "/mp4/" + file);
        if (resource == null) {
            throw new NotFoundException();
        }
        return Response.fromResponse(MediaFiles.serve(resource, "video/mp4", headers))
                .header("Cache-Control", "private, no-store").build();
    }

    /**
     * The HLS TS package served by JAX-RS: {@code GET /api/vault/hls/master.m3u8?key=…&pass=…} with a
     * ticket for the video {@code hls-ts}. The playlists this method returns are rewritten by
     * {@link ProtectedMedia}'s writer interceptor, so the variant playlists and segments it names
     * (requested from this method too) carry credentials.
     */
    @GET
    @Path("hls/{path: [A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)?[.](m3u8|ts)}")
    @ProtectedMedia(app = Catalog.APP, video = "hls-ts")
    public Response hls(@PathParam("path") String path, @Context ServletContext context) {
        MediaFiles.requireGuarded(); // it streams its own bytes: refuse unless @ProtectedMedia decided
        InputStream in = context.getResourceAsStream("/media/" + Catalog.APP + "/hls-ts/" + path);
        if (in == null) {
            throw new NotFoundException();
        }
        StreamingOutput body = out -> {
            try (in) {
                in.transferTo(out);
            }
        };
        return Response.ok(body, path.endsWith(".m3u8") ? "application/vnd.apple.mpegurl" : "video/mp2t").build();
    }
}
