package dev.usher.sample.modes;

import dev.usher.cdi.MediaFiles;
import dev.usher.cdi.ProtectedMedia;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

import java.net.MalformedURLException;
import java.nio.file.Path;

/** {@code @ProtectedMedia} resources for {@link ProtectedMediaPolicyTest}: a playlist served with Range support, and a missing file. */
@jakarta.ws.rs.Path("policy")
public class PolicyResource {

    /** The folder served; set by the test before the site starts. */
    static volatile Path folder;

    @GET
    @jakarta.ws.rs.Path("hls/{file: [a-z]+[.]m3u8}")
    @ProtectedMedia(app = "vod", video = "hls")
    public Response playlist(@PathParam("file") String file, @Context HttpHeaders headers) throws MalformedURLException {
        // MediaFiles honours Range and If-Range: what a manifest's resource must not see.
        return MediaFiles.serve(folder.resolve(file).toUri().toURL(), "application/vnd.apple.mpegurl", headers);
    }

    @GET
    @jakarta.ws.rs.Path("missing/{file: [a-z]+[.]mp4}")
    @ProtectedMedia(app = "vod", video = "{file}")
    public Response missing(@PathParam("file") String file, @Context HttpHeaders headers) {
        return MediaFiles.serve(null, "video/mp4", headers); // 404 after the grant
    }
}
