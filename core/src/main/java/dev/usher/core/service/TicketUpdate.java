package dev.usher.core.service;

import java.util.Map;

/**
 * A change to an issued ticket, as a v2 update sends it.
 *
 * @param active     the new {@code active}, or null
 * @param expireDate the new {@code expire_date} (absolute or relative), or null
 * @param others     every other field present in the request, by name, with its value as text.
 *                   A field the seeds mark Immutable is accepted only with its current value;
 *                   an unknown field is refused.
 */
public record TicketUpdate(Boolean active, String expireDate, Map<String, String> others) {

    public TicketUpdate {
        others = others == null ? Map.of() : Map.copyOf(others);
    }
}
