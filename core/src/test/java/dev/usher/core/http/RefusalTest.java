package dev.usher.core.http;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every refusal, whichever transport sends it, is plain text that is never cached nor sniffed. */
class RefusalTest {

    @Test
    void everyRefusalIsNeverCachedNorSniffed() {
        for (Refusal r : List.of(Refusal.forbidden(), Refusal.forbidden("Invalid IP Address"), Refusal.badRequest("Ambiguous path"),
                Refusal.methodNotAllowed(), Refusal.notFound(), Refusal.busy(), Refusal.unavailable(), Refusal.notGuarded(),
                Refusal.badGateway("Manifest not rewritable: x"))) {
            assertEquals("no-store", r.headers().get("Cache-Control"), r.toString());
            assertEquals("nosniff", r.headers().get("X-Content-Type-Options"), r.toString());
            assertEquals(r.reason() + "\n", new String(r.body(), StandardCharsets.UTF_8));
            assertTrue(r.status() >= 400, r.toString());
        }
        assertEquals("1", Refusal.busy().headers().get("Retry-After"));
        assertEquals(503, Refusal.busy().status());
        assertEquals("GET, HEAD", Refusal.methodNotAllowed().headers().get("Allow"));
        assertEquals("Temporarily unavailable", Refusal.unavailable().reason());
    }

    @Test
    void theManifestHeaderRulesIgnoreCase() {
        assertTrue(MediaHeaders.isHiddenFromManifestRequest("RANGE"));
        assertTrue(MediaHeaders.isHiddenFromManifestRequest("If-None-Match"));
        assertTrue(!MediaHeaders.isHiddenFromManifestRequest("Referer"));
        assertTrue(MediaHeaders.isDroppedFromRewritten("ETag"));
        assertTrue(!MediaHeaders.isDroppedFromRewritten("Content-Type"));
    }
}
