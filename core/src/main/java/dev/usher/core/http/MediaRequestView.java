package dev.usher.core.http;

import java.util.List;

/**
 * What {@link MediaAdmission} reads of a request, whatever carries it: each transport (the servlet
 * filter, the JAX-RS {@code @ProtectedMedia} filter) answers these two questions from its own
 * request object, and nothing else.
 */
public interface MediaRequestView {

    /** @return the query string as sent, still percent-encoded, or null when there is none */
    String rawQuery();

    /** @return every value of the header {@code name}, in order; empty when it is absent */
    List<String> headers(String name);

    /** @return the first value of the header {@code name}, or null */
    default String header(String name) {
        List<String> values = headers(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }
}
