package dev.usher.core.api;

/** A command answered with a failure code; the detail names the field or the problem. */
final class ApiFailure extends Exception {

    private static final long serialVersionUID = 1L;

    private final ApiCode code;
    private final String field;

    ApiFailure(ApiCode code, String field, String detail) {
        super(detail, null, false, false);
        this.code = code;
        this.field = field;
    }

    ApiFailure(ApiCode code, String detail) {
        this(code, null, detail);
    }

    ApiCode code() {
        return code;
    }

    String field() {
        return field;
    }
}
