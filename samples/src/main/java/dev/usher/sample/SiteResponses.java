package dev.usher.sample;

import jakarta.ws.rs.core.CacheControl;
import jakarta.ws.rs.core.Response;

/** How the site's JSON answers go out: never stored by a cache, as they are a signed-in user's own. */
final class SiteResponses {

    private SiteResponses() {
    }

    /** @return 200 with {@code entity}, {@code Cache-Control: no-store} */
    static Response noStore(Object entity) {
        return Response.ok(entity).cacheControl(noStoreControl()).build();
    }

    static CacheControl noStoreControl() {
        CacheControl cc = new CacheControl();
        cc.setNoStore(true);
        return cc;
    }
}
