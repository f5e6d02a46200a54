package dev.usher.servlet;

import dev.usher.core.http.MediaHeaders;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;

import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

/**
 * A manifest request without the headers that could make the server answer with less than the
 * whole file (a range, a 304, a compressed body): the filter must read the whole manifest to
 * rewrite it, and the rewritten body has its own length and no validators.
 */
final class FullBodyRequest extends HttpServletRequestWrapper {

    FullBodyRequest(HttpServletRequest request) {
        super(request);
    }

    private static boolean hidden(String name) {
        return MediaHeaders.isHiddenFromManifestRequest(name);
    }

    @Override
    public String getHeader(String name) {
        return hidden(name) ? null : super.getHeader(name);
    }

    @Override
    public Enumeration<String> getHeaders(String name) {
        return hidden(name) ? Collections.emptyEnumeration() : super.getHeaders(name);
    }

    @Override
    public long getDateHeader(String name) {
        return hidden(name) ? -1 : super.getDateHeader(name);
    }

    @Override
    public Enumeration<String> getHeaderNames() {
        List<String> names = Collections.list(super.getHeaderNames());
        names.removeIf(FullBodyRequest::hidden);
        return Collections.enumeration(names);
    }
}
