package dev.usher.core.service;

/**
 * What is wrong with one field of a request.
 *
 * @param field   the field's name as the API spells it ({@code ip}, {@code expire_date})
 * @param kind    the class of problem; the API adapters map it to their codes
 * @param message a sentence for the caller, naming the field and the bad value
 */
public record FieldProblem(String field, Kind kind, String message) {

    public enum Kind {
        /** A required field is absent or empty. */
        REQUIRED_FIELD,
        /** The value has the wrong JSON type. */
        TYPE_MISMATCH,
        /** The value has the right type but is not valid. */
        INVALID_VALUE,
        /** The field may not be changed after issue. */
        ACCESS_VIOLATION,
        /** An application outside the account's {@code username-} namespace. */
        APP_INVALID,
        /** A field this operation does not know. */
        UNKNOWN_FIELD
    }

    public static FieldProblem required(String field) {
        return new FieldProblem(field, Kind.REQUIRED_FIELD, field + " is required");
    }

    public static FieldProblem invalid(String field, String message) {
        return new FieldProblem(field, Kind.INVALID_VALUE, message);
    }
}
