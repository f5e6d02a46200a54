package dev.usher.core.service;

import java.util.Map;

/**
 * A request to change an issued ticket, as a v2 update sends it: unchecked text, which
 * {@link UsherService#update} checks and turns into the
 * {@link dev.usher.core.repository.TicketChange} the repository applies.
 *
 * @param active     the new {@code active}, or null
 * @param expireDate the new {@code expire_date} (absolute or relative), or null
 * @param others     every other field present in the request, by name, with its value as text.
 *                   A field ScaleEngine's API documents mark Immutable is accepted only with its
 *                   current value; an unknown field is refused.
 */
public record TicketUpdateRequest(Boolean active, String expireDate, Map<String, String> others) {

    public TicketUpdateRequest {
        others = others == null ? Map.of() : Map.copyOf(others);
    }
}
