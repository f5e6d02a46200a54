package dev.usher.core.api;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Typed access to the members of a signed command, with the API's codes for absent (0006) and
 * mistyped (0008) fields, so that every handler group answers them alike.
 */
public final class CommandFields {

    private final Map<String, Object> members;

    CommandFields(Map<String, Object> members) {
        this.members = members;
    }

    /** @return the members as parsed ({@link Json#NULL} for a JSON null) */
    Map<String, Object> members() {
        return members;
    }

    boolean has(String name) {
        Object v = members.get(name);
        return v != null && v != Json.NULL;
    }

    /** Absent, null and the empty string are missing (0006, naming the first of them). */
    void require(String... names) throws ApiFailure {
        List<String> missing = new ArrayList<>();
        for (String n : names) {
            Object v = members.get(n);
            if (v == null || v == Json.NULL || (v instanceof String s && s.isEmpty())) {
                missing.add(n);
            }
        }
        if (!missing.isEmpty()) {
            throw new ApiFailure(ApiCode.MISSING_FIELDS, missing.get(0), String.join(", ", missing));
        }
    }

    /** @return the whole number {@code name}, or null when absent or JSON null; 0008 when not a whole number */
    Integer optionalInteger(String name) throws ApiFailure {
        Object v = members.get(name);
        if (v == null || v == Json.NULL) {
            return null;
        }
        try {
            if (v instanceof java.math.BigDecimal n) {
                return n.intValueExact();
            }
        } catch (ArithmeticException e) {
            // falls through to the type error
        }
        throw new ApiFailure(ApiCode.INVALID_FIELD_TYPE, name, name + " must be a whole number");
    }

    String string(String name) throws ApiFailure {
        return optionalString(name).orElseThrow(() -> new ApiFailure(ApiCode.MISSING_FIELDS, name, name));
    }

    Optional<String> optionalString(String name) throws ApiFailure {
        Object v = members.get(name);
        if (v == null || v == Json.NULL) {
            return Optional.empty();
        }
        if (!(v instanceof String s)) {
            throw new ApiFailure(ApiCode.INVALID_FIELD_TYPE, name, name + " must be a string");
        }
        return Optional.of(s);
    }

    int integer(String name) throws ApiFailure {
        long v = optionalLong(name).orElseThrow(() -> new ApiFailure(ApiCode.MISSING_FIELDS, name, name));
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new ApiFailure(ApiCode.INVALID_FIELD_VALUE, name, name + " is out of range");
        }
        return (int) v;
    }

    Optional<Long> optionalLong(String name) throws ApiFailure {
        Object v = members.get(name);
        if (v == null || v == Json.NULL) {
            return Optional.empty();
        }
        if (v instanceof Boolean b && (name.equals("active") || name.equals("success"))) {
            return Optional.of(b ? 1L : 0L);
        }
        if (!(v instanceof BigDecimal n)) {
            throw new ApiFailure(ApiCode.INVALID_FIELD_TYPE, name, name + " must be a whole number");
        }
        try {
            return Optional.of(n.longValueExact());
        } catch (ArithmeticException e) {
            throw new ApiFailure(ApiCode.INVALID_FIELD_TYPE, name, name + " must be a whole number");
        }
    }
}
