package dev.usher.sample;

import java.io.IOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A plain HTTP client of the sample site, with its own cookies (one viewer). */
final class SiteClient {

    static final String API_KEY = "demo-api-key-158";

    private final URI base;
    private final HttpClient http;
    /** The demo API account's secret: the one the runner made in its data folder, or one the test set. */
    private final String apiSecret;

    SiteClient(URI base) {
        this(base, null);
    }

    SiteClient(URI base, String apiSecret) {
        this.base = base;
        this.apiSecret = apiSecret;
        this.http = HttpClient.newBuilder().cookieHandler(new CookieManager())
                .followRedirects(HttpClient.Redirect.NORMAL).connectTimeout(Duration.ofSeconds(10)).build();
    }

    URI resolve(String pathOrUrl) {
        return base.resolve(pathOrUrl.startsWith("/") ? pathOrUrl.substring(1) : pathOrUrl);
    }

    /** The URL path of the site's root, e.g. {@code /} or {@code /usher/}: server-absolute URLs the API returns start with it. */
    URI absolute(String serverPath) {
        return base.resolve(serverPath);
    }

    HttpResponse<String> get(URI uri, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET();
        if (headers.length > 0) {
            b.headers(headers);
        }
        return bounded(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<byte[]> getBytes(URI uri, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET();
        if (headers.length > 0) {
            b.headers(headers);
        }
        return bounded(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /**
     * The request's timeout covers only the wait for the headers; a body that never ends (seen
     * with HTTP/2 on a real server) must fail the test too, not hang it.
     */
    private <T> HttpResponse<T> bounded(HttpRequest request, HttpResponse.BodyHandler<T> body)
            throws IOException, InterruptedException {
        try {
            return http.sendAsync(request, body).get(60, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IOException("no complete answer within 60 s: " + request.method() + " " + request.uri(), e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        }
    }

    HttpResponse<String> get(String path, String... headers) throws IOException, InterruptedException {
        return get(resolve(path), headers);
    }

    /** Signs in through the form: {@code /signin} brings the login page, which posts to {@code j_security_check}. */
    void signIn(String user, String password) throws IOException, InterruptedException {
        HttpResponse<String> form = get("signin");
        assertEquals(200, form.statusCode(), "the login page: " + form.body());
        assertTrue(form.body().contains("j_security_check"), "not the login page: " + form.body());
        String body = "j_username=" + URLEncoder.encode(user, StandardCharsets.UTF_8)
                + "&j_password=" + URLEncoder.encode(password, StandardCharsets.UTF_8);
        HttpResponse<String> done = http.send(HttpRequest.newBuilder(resolve("j_security_check"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, done.statusCode(), "after signing in: " + done.uri() + "\n" + done.body());
        HttpResponse<String> me = get("api/me");
        assertTrue(me.body().contains("\"user\":\"" + user + "\""), "not signed in as " + user + ": " + me.body());
    }

    /** A POST of {@code body} as {@code contentType} with this client's cookies and the extra headers (name, value, …). */
    HttpResponse<String> post(String path, String contentType, String body, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(resolve(path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return bounded(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** @return the {@code url} member of {@code /api/play?format=…} for the signed-in viewer */
    String playbackUrl(String format) throws IOException, InterruptedException {
        HttpResponse<String> r = get("api/play?format=" + format);
        assertEquals(200, r.statusCode(), r.body());
        return member(r.body(), "url");
    }

    /** A signed SEVU JSON command, posted as the form field {@code json} to {@code /usher/}. */
    HttpResponse<String> sevu(String command, String extraMembers) throws Exception {
        String json = "{\"command\":\"" + command + "\",\"cdn\":158,\"api_key\":\"" + API_KEY + "\",\"timestamp\":"
                + (System.currentTimeMillis() / 1000) + extraMembers + "}";
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret().getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String signature = Base64.getEncoder().encodeToString(mac.doFinal(json.getBytes(StandardCharsets.UTF_8)));
        String signed = json.substring(0, json.length() - 1) + ",\"signature\":\"" + signature + "\"}";
        return http.send(HttpRequest.newBuilder(resolve("usher/")).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("json=" + URLEncoder.encode(signed, StandardCharsets.UTF_8)))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The v2 resource with HTTP Basic {@code 158:secret}. */
    HttpResponse<String> v2(String pathAndQuery) throws IOException, InterruptedException {
        String basic = Base64.getEncoder().encodeToString(("158:" + secret()).getBytes(StandardCharsets.UTF_8));
        return get(resolve("usher/v2/" + pathAndQuery), "Authorization", "Basic " + basic);
    }

    private String secret() {
        if (apiSecret == null) {
            throw new IllegalStateException("this client was made without the API secret");
        }
        return apiSecret;
    }

    /** @return the secrets the runner made in {@code dataDir} (its {@code secrets.properties}) */
    static java.util.Properties runnerSecrets(java.nio.file.Path dataDir) throws IOException {
        java.util.Properties p = new java.util.Properties();
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(dataDir.resolve("secrets.properties"))) {
            p.load(in);
        }
        return p;
    }

    /** @return the demo API account's secret the runner made in {@code dataDir} */
    static String runnerApiSecret(java.nio.file.Path dataDir) throws IOException {
        return runnerSecrets(dataDir).getProperty("usher.account.158.secret");
    }

    /** @return a string member of a flat JSON object (enough for these answers) */
    static String member(String json, String name) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(name) + "\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(json);
        if (!m.find()) {
            throw new AssertionError("no \"" + name + "\" in " + json);
        }
        return m.group(1).replace("\\/", "/").replace("\\u0026", "&");
    }

    /** @return a number member of a JSON object */
    static long number(String json, String name) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(name) + "\"\\s*:\\s*(\\d+)").matcher(json);
        if (!m.find()) {
            throw new AssertionError("no number \"" + name + "\" in " + json);
        }
        return Long.parseLong(m.group(1));
    }
}
