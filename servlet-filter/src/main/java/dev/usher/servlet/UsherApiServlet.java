package dev.usher.servlet;

import dev.usher.core.account.Account;
import dev.usher.core.api.ApiCode;
import dev.usher.core.api.SevuApi;
import dev.usher.core.api.SevuTokenResource;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.Part;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The HTTP binding of the SEVU API, mapped to {@code {usher.api.path}/*} (default {@code /usher}):
 * <ul>
 * <li>JSON commands at the base and at {@code /stable/}: {@code POST} with the form field
 *     {@code json} (urlencoded, as commons-httpclient sends it, or multipart, as PHP curl sends an
 *     array) or a raw JSON body. Always HTTP 200 with the JSON answer, as ScaleEngine does.</li>
 * <li>The v2 resource at {@code /v2/sevu_token[/{key}[/sevu_attempt]]}, authenticated with HTTP
 *     Basic {@code cdn_id:secret}.</li>
 * </ul>
 * Bodies are read bounded and decoded as strict UTF-8; a body that is neither is refused.
 */
public class UsherApiServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    /** Largest request body read. */
    static final int MAX_BODY = 3 * SevuApi.MAX_JSON;

    private transient UsherRuntime runtime;

    @Override
    public void init() throws ServletException {
        try {
            runtime = UsherRuntime.of(getServletContext());
        } catch (RuntimeException e) {
            throw new ServletException(e.getMessage(), e);
        }
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException, ServletException {
        String path = request.getPathInfo() == null ? "/" : request.getPathInfo();
        if (path.equals("/v2/sevu_token") || path.startsWith("/v2/sevu_token/")) {
            v2(request, response, path.substring("/v2/sevu_token".length()));
            return;
        }
        if (!path.equals("/") && !path.equals("/stable") && !path.equals("/stable/")) {
            response.sendError(HttpServletResponse.SC_NOT_FOUND);
            return;
        }
        if (!request.getMethod().equals("POST")) {
            response.setHeader("Allow", "POST");
            json(response, HttpServletResponse.SC_METHOD_NOT_ALLOWED,
                    SevuApi.failure(ApiCode.MALFORMED_REQUEST, "send the command with POST").json());
            return;
        }
        String command;
        try {
            command = commandText(request);
        } catch (BadBody e) {
            json(response, HttpServletResponse.SC_OK, SevuApi.failure(ApiCode.MALFORMED_REQUEST, e.getMessage()).json());
            return;
        }
        json(response, HttpServletResponse.SC_OK, runtime.api().handle(command).json());
    }

    private void v2(HttpServletRequest request, HttpServletResponse response, String rest) throws IOException {
        Optional<Account> account = basicAuth(request.getHeader("Authorization"));
        if (account.isEmpty()) {
            response.setHeader("WWW-Authenticate", "Basic realm=\"usher\", charset=\"UTF-8\"");
            json(response, HttpServletResponse.SC_UNAUTHORIZED,
                    "{\"error\":\"UNAUTHORIZED\",\"message\":\"HTTP Basic cdn_id:secret required\"}");
            return;
        }
        SevuTokenResource resource = runtime.tokens();
        String method = request.getMethod();
        String key = rest.startsWith("/") ? rest.substring(1) : rest;
        boolean attempts = key.endsWith("/sevu_attempt");
        if (attempts) {
            key = key.substring(0, key.length() - "/sevu_attempt".length());
        }
        if (key.contains("/")) {
            json(response, HttpServletResponse.SC_NOT_FOUND, "{\"error\":\"NOT_FOUND\",\"message\":\"no such resource\"}");
            return;
        }
        SevuTokenResource.Response answer;
        try {
            if (attempts) {
                answer = method.equals("GET") ? resource.attemptsOf(account.get(), key) : null;
            } else if (key.isEmpty()) {
                answer = switch (method) {
                    case "PUT" -> resource.create(account.get(), body(request));
                    case "GET" -> resource.list(account.get(), query(request));
                    default -> null;
                };
            } else {
                answer = switch (method) {
                    case "GET" -> resource.read(account.get(), key, request.getParameter("option:children"));
                    case "POST" -> resource.update(account.get(), key, body(request));
                    case "DELETE" -> resource.delete(account.get(), key);
                    default -> null;
                };
            }
        } catch (BadBody e) {
            answer = new SevuTokenResource.Response(400, "{\"error\":\"MALFORMED\",\"message\":\"" + e.getMessage() + "\"}");
        }
        if (answer == null) {
            response.setHeader("Allow", attempts ? "GET" : key.isEmpty() ? "GET, PUT" : "GET, POST, DELETE");
            json(response, HttpServletResponse.SC_METHOD_NOT_ALLOWED, "{\"error\":\"METHOD_NOT_ALLOWED\",\"message\":\"" + method + "\"}");
            return;
        }
        if (answer.json() == null) {
            response.setStatus(answer.status());
            response.setHeader("Cache-Control", "no-store");
            return;
        }
        json(response, answer.status(), answer.json());
    }

    private Optional<Account> basicAuth(String header) {
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6) || header.length() > 1024) {
            return Optional.empty();
        }
        String decoded;
        try {
            decoded = strictUtf8(Base64.getDecoder().decode(header.substring(6).trim()));
        } catch (IllegalArgumentException | CharacterCodingException e) {
            return Optional.empty();
        }
        int colon = decoded.indexOf(':');
        if (colon <= 0 || colon > 18 || !decoded.substring(0, colon).chars().allMatch(c -> c >= '0' && c <= '9')) {
            return Optional.empty();
        }
        long cdn = Long.parseLong(decoded.substring(0, colon));
        String secret = decoded.substring(colon + 1);
        return runtime.accounts().byCdnId(cdn).filter(a -> a.secretMatches(secret));
    }

    private static Map<String, String> query(HttpServletRequest request) {
        Map<String, String> out = new LinkedHashMap<>();
        request.getParameterMap().forEach((k, v) -> out.put(k, v.length == 0 ? "" : v[0]));
        return out;
    }

    /** A body Usher can't read: too large, or not UTF-8. */
    static final class BadBody extends Exception {
        private static final long serialVersionUID = 1L;

        BadBody(String message) {
            super(message, null, false, false);
        }
    }

    private static String commandText(HttpServletRequest request) throws IOException, ServletException, BadBody {
        String type = request.getContentType() == null ? "" : request.getContentType().toLowerCase(Locale.ROOT);
        if (type.startsWith("multipart/form-data")) {
            Part part;
            try {
                part = request.getPart("json");
            } catch (IllegalStateException e) {
                throw new BadBody("the request is larger than " + MAX_BODY + " bytes");
            }
            if (part == null) {
                return "";
            }
            try (InputStream in = part.getInputStream()) {
                return decode(readBounded(in));
            }
        }
        byte[] raw = readBounded(request.getInputStream());
        if (type.startsWith("application/x-www-form-urlencoded")) {
            return formField(raw, "json");
        }
        return decode(raw);
    }

    private static String body(HttpServletRequest request) throws IOException, BadBody {
        return decode(readBounded(request.getInputStream()));
    }

    private static byte[] readBounded(InputStream in) throws IOException, BadBody {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        int n;
        while ((n = in.read(buffer)) > 0) {
            if (out.size() + n > MAX_BODY) {
                throw new BadBody("the request is larger than " + MAX_BODY + " bytes");
            }
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }

    private static String decode(byte[] raw) throws BadBody {
        try {
            return strictUtf8(raw);
        } catch (CharacterCodingException e) {
            throw new BadBody("the request is not valid UTF-8");
        }
    }

    private static String strictUtf8(byte[] raw) throws CharacterCodingException {
        return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(raw)).toString();
    }

    /** Reads one field of an urlencoded form, percent-decoding to bytes and then strict UTF-8. */
    static String formField(byte[] raw, String name) throws BadBody {
        String form = new String(raw, StandardCharsets.ISO_8859_1);
        String found = null;
        for (String pair : form.split("&")) {
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            if (k.equals(name)) {
                if (found != null) {
                    throw new BadBody("the field " + name + " appears twice");
                }
                found = eq < 0 ? "" : pair.substring(eq + 1);
            }
        }
        if (found == null) {
            return "";
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(found.length());
        for (int i = 0; i < found.length(); i++) {
            char c = found.charAt(i);
            if (c == '+') {
                bytes.write(' ');
            } else if (c == '%') {
                if (i + 2 >= found.length()) {
                    throw new BadBody("malformed percent-encoding in " + name);
                }
                int hi = Character.digit(found.charAt(i + 1), 16);
                int lo = Character.digit(found.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    throw new BadBody("malformed percent-encoding in " + name);
                }
                bytes.write((hi << 4) | lo);
                i += 2;
            } else {
                bytes.write(c);
            }
        }
        return decode(bytes.toByteArray());
    }

    private static void json(HttpServletResponse response, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.setContentType("application/json;charset=UTF-8");
        response.setHeader("Cache-Control", "no-store");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }
}
