package dev.usher.sample.console;

import dev.usher.core.account.Account;
import dev.usher.core.api.Json;
import dev.usher.core.api.SevuApi;
import dev.usher.servlet.UsherRuntime;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The operator console speaks Usher's own JSON API, in process: each command is written and signed
 * exactly as a remote client signs it ({@code base64(HMAC-SHA256(json, secret))}, then the
 * {@code signature} member appended) for the site's issuing account, and handed to the same
 * {@link SevuApi} that answers {@code POST /usher/}. So what the console shows is what an operator's
 * own program would get, codes and all; nothing is asked of the store behind the API's back.
 *
 * <p>Only an API account can sign: a site whose tickets belong to no API account (the WAR as shipped,
 * cdn 0) has no command to run, and {@link #run} says so by answering empty.
 */
public final class ConsoleCommands {

    private final UsherRuntime runtime;
    private final Account account;
    private final Clock clock;

    public ConsoleCommands(UsherRuntime runtime, Account account, Clock clock) {
        this.runtime = runtime;
        this.account = account;
        this.clock = clock;
    }

    /** @return true when the issuing account is an API account, so the commands can be signed */
    public boolean available() {
        return runtime.api() != null && runtime.accounts().byCdnId(account.cdnId()).isPresent();
    }

    /**
     * Runs one command for the issuing account.
     *
     * @param fields the command's own fields (not the signed ones), in the order they are written
     * @return the answer (success or failure, as the API gives it), or empty when no API account can sign it
     */
    public Optional<SevuApi.Answer> run(String command, Map<String, Object> fields) {
        if (!available()) {
            return Optional.empty();
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("command", command);
        json.put("cdn", account.cdnId());
        json.put("api_key", account.apiKey());
        json.put("timestamp", clock.instant().getEpochSecond());
        json.putAll(fields);
        String text = Json.write(json);
        String signed = text.substring(0, text.length() - 1) + ",\"signature\":" + Json.write(sign(text)) + "}";
        return Optional.of(runtime.api().handle(signed));
    }

    private String sign(String text) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(account.secret().getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return Base64.getEncoder().encodeToString(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java", e);
        }
    }
}
