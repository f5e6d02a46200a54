package dev.usher.core.api;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Builds signed commands the way the seeds' clients do, for tests. */
public final class SevuClients {

    private SevuClients() {
    }

    /** PHP's json_encode: {@code /} as {@code \/}, non-ASCII as {@code \\uXXXX}, insertion order. */
    public static String phpJsonEncode(Map<String, Object> map) {
        StringBuilder out = new StringBuilder("{");
        boolean first = true;
        for (Map.Entry<String, Object> e : map.entrySet()) {
            if (!first) {
                out.append(',');
            }
            first = false;
            phpString(e.getKey(), out);
            out.append(':');
            Object v = e.getValue();
            if (v instanceof String s) {
                phpString(s, out);
            } else {
                out.append(v);
            }
        }
        return out.append('}').toString();
    }

    private static void phpString(String s, StringBuilder out) {
        out.append('"');
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '/' -> out.append("\\/");
                case '\n' -> out.append("\\n");
                default -> {
                    if (c < 0x20 || c > 0x7e) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    public static String hmacBase64(String secret, String text) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return Base64.getEncoder().encodeToString(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A command of {@code account} (unsigned) with its base members — {@code command}, {@code api_key},
     * {@code timestamp}, {@code cdn} — and then {@code fields}, name and value by turns.
     */
    public static Map<String, Object> command(dev.usher.core.account.Account account, java.time.Instant at, String name,
                                              Object... fields) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("command", name);
        r.put("api_key", account.apiKey());
        r.put("timestamp", at.getEpochSecond());
        r.put("cdn", account.cdnId());
        for (int i = 0; i < fields.length; i += 2) {
            r.put((String) fields[i], fields[i + 1]);
        }
        return r;
    }

    /** The PHP example: sign json_encode($request), add signature, json_encode again. */
    public static String php(Map<String, Object> request, String secret) {
        Map<String, Object> m = new LinkedHashMap<>(request);
        m.put("signature", hmacBase64(secret, phpJsonEncode(m)));
        return phpJsonEncode(m);
    }
}
