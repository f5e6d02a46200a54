package dev.usher.core.api;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict, bounded JSON reader and a small writer for the SEVU protocol.
 *
 * <p>Reading keeps what a signature check needs and a general-purpose parser throws away: the
 * exact source span of each top-level member, so the signed text can be rebuilt byte for byte by
 * cutting the {@code signature} member out of what the client sent. Values become
 * {@link String}, {@link BigDecimal}, {@link Boolean}, {@link #NULL}, {@link List} and
 * {@link Map} (insertion-ordered). Duplicate names, nesting deeper than 16 levels, lone surrogate
 * escapes and trailing text are refused.
 */
public final class Json {

    /** The JSON {@code null}. */
    public static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };

    private static final int MAX_DEPTH = 16;

    /** A JSON text that is not acceptable; the message says where and why. */
    public static final class JsonException extends Exception {
        private static final long serialVersionUID = 1L;

        JsonException(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * A top-level object with the source span of each member: from the first character of its name
     * to the last of its value.
     */
    public record ParsedObject(Map<String, Object> members, Map<String, int[]> spans, String source) {

        /**
         * @return the source with member {@code name} and one adjoining comma removed, all else as sent
         */
        public String without(String name) {
            int[] span = spans.get(name);
            if (span == null) {
                return source;
            }
            int start = span[0];
            int end = span[1];
            // Prefer removing the comma before the member (PHP appends the signature last); else the one after.
            int before = start - 1;
            while (before >= 0 && isSpace(source.charAt(before))) {
                before--;
            }
            if (source.charAt(before) == ',') {
                return source.substring(0, before) + source.substring(end);
            }
            int after = end;
            while (after < source.length() && isSpace(source.charAt(after))) {
                after++;
            }
            if (after < source.length() && source.charAt(after) == ',') {
                after++;
                while (after < source.length() && isSpace(source.charAt(after))) {
                    after++;
                }
                return source.substring(0, start) + source.substring(after);
            }
            return source.substring(0, start) + source.substring(end);
        }
    }

    private final String s;
    private int i;

    private Json(String s) {
        this.s = s;
    }

    /** Parses a text whose top level must be an object. */
    public static ParsedObject parseObject(String text) throws JsonException {
        Json p = new Json(text);
        p.skipSpace();
        if (p.i >= text.length() || text.charAt(p.i) != '{') {
            throw new JsonException("the request is not a JSON object");
        }
        Map<String, int[]> spans = new LinkedHashMap<>();
        Map<String, Object> members = p.object(0, spans);
        p.skipSpace();
        if (p.i != text.length()) {
            throw new JsonException("unexpected text after the JSON object at offset " + p.i);
        }
        return new ParsedObject(members, spans, text);
    }

    /** Parses any JSON value. */
    public static Object parse(String text) throws JsonException {
        Json p = new Json(text);
        p.skipSpace();
        Object v = p.value(0);
        p.skipSpace();
        if (p.i != text.length()) {
            throw new JsonException("unexpected text after the JSON value at offset " + p.i);
        }
        return v;
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
    }

    private void skipSpace() {
        while (i < s.length() && isSpace(s.charAt(i))) {
            i++;
        }
    }

    private JsonException error(String what) {
        return new JsonException(what + " at offset " + i);
    }

    private Object value(int depth) throws JsonException {
        if (depth > MAX_DEPTH) {
            throw error("nesting too deep");
        }
        if (i >= s.length()) {
            throw error("unexpected end of JSON");
        }
        char c = s.charAt(i);
        return switch (c) {
            case '{' -> object(depth + 1, null);
            case '[' -> array(depth + 1);
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", NULL);
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) {
                    yield number();
                }
                throw error("unexpected character '" + c + "'");
            }
        };
    }

    private Object literal(String word, Object v) throws JsonException {
        if (!s.startsWith(word, i)) {
            throw error("unexpected token");
        }
        i += word.length();
        return v;
    }

    private Map<String, Object> object(int depth, Map<String, int[]> spans) throws JsonException {
        i++; // {
        Map<String, Object> out = new LinkedHashMap<>();
        skipSpace();
        if (i < s.length() && s.charAt(i) == '}') {
            i++;
            return out;
        }
        while (true) {
            skipSpace();
            if (i >= s.length() || s.charAt(i) != '"') {
                throw error("expected a member name");
            }
            int start = i;
            String name = string();
            skipSpace();
            if (i >= s.length() || s.charAt(i) != ':') {
                throw error("expected ':'");
            }
            i++;
            skipSpace();
            Object v = value(depth);
            if (out.putIfAbsent(name, v) != null) {
                throw error("member '" + name + "' appears twice");
            }
            if (spans != null) {
                spans.put(name, new int[] {start, i});
            }
            skipSpace();
            if (i >= s.length()) {
                throw error("unexpected end of JSON");
            }
            char c = s.charAt(i++);
            if (c == '}') {
                return out;
            }
            if (c != ',') {
                throw error("expected ',' or '}'");
            }
        }
    }

    private List<Object> array(int depth) throws JsonException {
        i++; // [
        List<Object> out = new ArrayList<>();
        skipSpace();
        if (i < s.length() && s.charAt(i) == ']') {
            i++;
            return out;
        }
        while (true) {
            skipSpace();
            out.add(value(depth));
            skipSpace();
            if (i >= s.length()) {
                throw error("unexpected end of JSON");
            }
            char c = s.charAt(i++);
            if (c == ']') {
                return out;
            }
            if (c != ',') {
                throw error("expected ',' or ']'");
            }
        }
    }

    private String string() throws JsonException {
        i++; // opening quote
        StringBuilder out = new StringBuilder();
        while (true) {
            if (i >= s.length()) {
                throw error("unterminated string");
            }
            char c = s.charAt(i++);
            if (c == '"') {
                break;
            }
            if (c < 0x20) {
                throw error("control character in string");
            }
            if (c != '\\') {
                out.append(c);
                continue;
            }
            if (i >= s.length()) {
                throw error("unterminated escape");
            }
            char e = s.charAt(i++);
            switch (e) {
                case '"', '\\', '/' -> out.append(e);
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'u' -> out.append(unicodeEscape());
                default -> throw error("bad escape \\" + e);
            }
        }
        String v = out.toString();
        for (int k = 0; k < v.length(); k++) {
            char c = v.charAt(k);
            if (Character.isHighSurrogate(c)) {
                if (k + 1 >= v.length() || !Character.isLowSurrogate(v.charAt(k + 1))) {
                    throw error("lone surrogate in string");
                }
                k++;
            } else if (Character.isLowSurrogate(c)) {
                throw error("lone surrogate in string");
            }
        }
        return v;
    }

    private char unicodeEscape() throws JsonException {
        if (i + 4 > s.length()) {
            throw error("short \\u escape");
        }
        int v = 0;
        for (int k = 0; k < 4; k++) {
            int d = Character.digit(s.charAt(i + k), 16);
            if (d < 0) {
                throw error("bad \\u escape");
            }
            v = (v << 4) | d;
        }
        i += 4;
        return (char) v;
    }

    private BigDecimal number() throws JsonException {
        int start = i;
        if (s.charAt(i) == '-') {
            i++;
        }
        if (i >= s.length()) {
            throw error("bad number");
        }
        if (s.charAt(i) == '0') {
            i++;
        } else if (s.charAt(i) >= '1' && s.charAt(i) <= '9') {
            while (i < s.length() && Character.isDigit(s.charAt(i)) && s.charAt(i) < 128) {
                i++;
            }
        } else {
            throw error("bad number");
        }
        if (i < s.length() && s.charAt(i) == '.') {
            i++;
            int digits = i;
            while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                i++;
            }
            if (i == digits) {
                throw error("bad number");
            }
        }
        if (i < s.length() && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            i++;
            if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                i++;
            }
            int digits = i;
            while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                i++;
            }
            if (i == digits || i - digits > 4) {
                throw error("bad number");
            }
        }
        if (i - start > 64) {
            throw error("number too long");
        }
        return new BigDecimal(s.substring(start, i));
    }

    /** Writes a value as JSON: strings escaped as JSON requires, non-ASCII kept as UTF-8 text. */
    public static String write(Object value) {
        StringBuilder out = new StringBuilder(256);
        write(value, out);
        return out.toString();
    }

    @SuppressWarnings("unchecked")
    private static void write(Object v, StringBuilder out) {
        if (v == null || v == NULL) {
            out.append("null");
        } else if (v instanceof String str) {
            quote(str, out);
        } else if (v instanceof Boolean || v instanceof Integer || v instanceof Long || v instanceof BigDecimal) {
            out.append(v);
        } else if (v instanceof Map<?, ?> map) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<String, Object> e : ((Map<String, Object>) map).entrySet()) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                quote(e.getKey(), out);
                out.append(':');
                write(e.getValue(), out);
            }
            out.append('}');
        } else if (v instanceof List<?> list) {
            out.append('[');
            for (int k = 0; k < list.size(); k++) {
                if (k > 0) {
                    out.append(',');
                }
                write(list.get(k), out);
            }
            out.append(']');
        } else {
            throw new IllegalArgumentException("not a JSON value: " + v.getClass());
        }
    }

    private static void quote(String str, StringBuilder out) {
        out.append('"');
        for (int k = 0; k < str.length(); k++) {
            char c = str.charAt(k);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
