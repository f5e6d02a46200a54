package dev.usher.core.http;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A media request Usher turns away, as every transport answers it: the status, the reason as a
 * short plain text body, and the same headers whatever sends it (never cached, never sniffed as
 * anything but text, and {@code Allow} or {@code Retry-After} where the status calls for them).
 *
 * @param status  the HTTP status
 * @param reason  the text of the body, without its line end (a reason of the sevu.errorlog page, docs/PROTOCOL.md#errorlog, or a short description)
 * @param headers the headers to set besides {@code Content-Type} and {@code Content-Length}, in order
 */
public record Refusal(int status, String reason, Map<String, String> headers) {

    /** The type of every refusal's body. */
    public static final String CONTENT_TYPE = "text/plain;charset=UTF-8";

    public Refusal {
        headers = Map.copyOf(headers);
    }

    private static Refusal of(int status, String reason, String... extra) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Cache-Control", MediaHeaders.NO_STORE);
        headers.put("X-Content-Type-Options", "nosniff");
        for (int i = 0; i < extra.length; i += 2) {
            headers.put(extra[i], extra[i + 1]);
        }
        return new Refusal(status, reason, headers);
    }

    /** 403: the ticket or credential does not admit the request ({@code reason} says why). */
    public static Refusal forbidden(String reason) {
        return of(403, reason);
    }

    /** 403 with no reason given: not a media item, or a dispatch to a path that was not granted. */
    public static Refusal forbidden() {
        return forbidden("Forbidden");
    }

    /** 400: a request different layers could read differently (a path, a query). */
    public static Refusal badRequest(String reason) {
        return of(400, reason);
    }

    /** 405: media is only read. */
    public static Refusal methodNotAllowed() {
        return of(405, "Method Not Allowed", "Allow", "GET, HEAD");
    }

    /** 404 after a grant: asked only once the ticket admitted the request, so it tells no one else what exists. */
    public static Refusal notFound() {
        return of(404, "Not Found");
    }

    /** 503: every manifest slot is taken; nothing was decided, so no use was spent. */
    public static Refusal busy() {
        return of(503, "Too many manifests in progress, retry", "Retry-After", "1");
    }

    /** 503: the decision failed (a repository down); a guard that can't decide refuses, it never grants. */
    public static Refusal unavailable() {
        return of(503, "Temporarily unavailable");
    }

    /**
     * 503: a resource that serves protected media was reached without the guard deciding the request
     * (a JAX-RS application that forgot to register the binding); it fails closed.
     */
    public static Refusal notGuarded() {
        return of(503, "Media not guarded");
    }

    /** 502: a granted manifest Usher can't serve (too large, not rewritable); none of it is sent. */
    public static Refusal badGateway(String reason) {
        return of(502, reason);
    }

    /** @return the body: the reason and a line end, UTF-8 */
    public byte[] body() {
        return (reason + "\n").getBytes(StandardCharsets.UTF_8);
    }
}
