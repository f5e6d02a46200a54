package dev.usher.sample.modes;

import dev.usher.cdi.MediaFiles;
import dev.usher.cdi.ProtectedMedia;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;

import java.net.MalformedURLException;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code @ProtectedMedia} resources as an application writes them: one through MediaFiles, one streaming its own bytes. */
@jakarta.ws.rs.Path("files")
public class MediaResource {

    /** The folder served; set by the test before the site starts. */
    static volatile Path folder;

    @GET
    @jakarta.ws.rs.Path("{file: [a-z]+[.]mp4}")
    @ProtectedMedia(app = "vod", video = "{file}")
    public Response file(@PathParam("file") String file, @Context HttpHeaders headers) throws MalformedURLException {
        return MediaFiles.serve(folder.resolve(file).toUri().toURL(), "video/mp4", headers);
    }

    @GET
    @jakarta.ws.rs.Path("raw/{file: [a-z]+[.]mp4}")
    @ProtectedMedia(app = "vod", video = "{file}")
    public Response raw(@PathParam("file") String file) {
        MediaFiles.requireGuarded();
        StreamingOutput body = out -> Files.copy(folder.resolve(file), out);
        return Response.ok(body, "video/mp4").build();
    }
}
