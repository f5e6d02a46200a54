package dev.usher.core.api;

import dev.usher.core.account.Account;
import dev.usher.core.account.AccountRegistry;
import dev.usher.core.log.LogText;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Verifies a signed JSON command, in the order whose codes the API documents: the JSON itself (0006
 * none, 0007 malformed), the account (0001), the timestamp (0002), the signature (0003), the command
 * (0006 none, 0000 unknown, 0005 not allowed to the account) and its field names (0014). What passes
 * is a {@link SignedCommand}; what a command's fields must hold is its group's to check.
 */
final class CommandVerifier {

    /** The members every command carries besides its own fields. */
    private static final Set<String> BASE = Set.of("command", "cdn", "cdn_id", "api_key", "timestamp", "signature");

    private final AccountRegistry accounts;
    private final Duration window;
    private final Clock clock;
    /** The fields of each command served. */
    private final Map<String, Set<String>> commands;

    CommandVerifier(AccountRegistry accounts, Duration window, Clock clock, Map<String, Set<String>> commands) {
        this.accounts = accounts;
        this.window = window;
        this.clock = clock;
        this.commands = Map.copyOf(commands);
    }

    /**
     * @param json  the JSON text as the client sent it
     * @param named told the command's name once it is known to be one served (for the listeners)
     */
    SignedCommand verify(String json, Consumer<String> named) throws ApiFailure {
        Json.ParsedObject parsed = parse(json);
        CommandFields f = new CommandFields(parsed.members());
        Account account = account(f);
        long timestamp = timestamp(f);
        byte[] given = signature(f, parsed, account);

        // 0006 / 0000 / 0005 / 0014: the command and its field names.
        String command = f.optionalString("command").orElse(null);
        if (command == null) {
            throw new ApiFailure(ApiCode.MISSING_FIELDS, "command", "command");
        }
        String name = command.isEmpty() && parsed.members().containsKey("video") ? "sevu.search" : command;
        Set<String> allowed = commands.get(name);
        if (allowed == null) {
            throw new ApiFailure(ApiCode.UNRECOGNIZED_COMMAND, "command", "'" + LogText.safe(command) + "'");
        }
        named.accept(name);
        // 0005: a signed, valid request for a command the account is not allowed (usher.account.<cdn>.commands).
        if (!account.mayRun(name)) {
            throw new ApiFailure(ApiCode.UNAUTHORIZED, "command", "account " + account.cdnId() + " may not run " + name);
        }
        for (String field : parsed.members().keySet()) {
            if (!BASE.contains(field) && !allowed.contains(field)) {
                throw new ApiFailure(ApiCode.UNKNOWN_FIELD, field, field + " is not a field of " + name);
            }
        }
        // Whole seconds are compared, so a request is accepted until timestamp + window + 0.999 s:
        // it is remembered one second longer than that.
        Instant until = Instant.ofEpochSecond(Math.min(Instant.MAX.getEpochSecond(),
                saturatedAdd(saturatedAdd(timestamp, window.toSeconds()), 1)));
        return new SignedCommand(name, account, f,
                account.cdnId() + ":" + Base64.getEncoder().encodeToString(given), until);
    }

    private static Json.ParsedObject parse(String json) throws ApiFailure {
        if (json == null || json.isBlank()) {
            throw new ApiFailure(ApiCode.MISSING_FIELDS, "json", "no JSON command (send it as the form field json or as the body)");
        }
        if (json.length() > SevuApi.MAX_JSON) {
            throw new ApiFailure(ApiCode.MALFORMED_REQUEST, "the command is longer than " + SevuApi.MAX_JSON + " characters");
        }
        try {
            return Json.parseObject(json);
        } catch (Json.JsonException e) {
            throw new ApiFailure(ApiCode.MALFORMED_REQUEST, e.getMessage());
        }
    }

    /** 0001: the account named by {@code cdn} (or {@code cdn_id}), with its {@code api_key}. */
    private Account account(CommandFields f) throws ApiFailure {
        Long cdn = f.optionalLong("cdn").orElse(null);
        Long cdnId = f.optionalLong("cdn_id").orElse(null);
        if (cdn != null && cdnId != null && !cdn.equals(cdnId)) {
            throw new ApiFailure(ApiCode.CDN_AUTHORIZATION_FAILED, "cdn", "cdn and cdn_id differ");
        }
        Long id = cdn != null ? cdn : cdnId;
        if (id == null) {
            throw new ApiFailure(ApiCode.CDN_AUTHORIZATION_FAILED, "cdn", "cdn (or cdn_id) is required");
        }
        String apiKey = f.optionalString("api_key").orElse(null);
        Optional<Account> found = accounts.byCdnId(id);
        if (apiKey == null || found.isEmpty() || !found.get().apiKeyMatches(apiKey)) {
            throw new ApiFailure(ApiCode.CDN_AUTHORIZATION_FAILED, apiKey == null ? "api_key" : null, null);
        }
        return found.get();
    }

    /** 0002: the timestamp, within the window of the server's time either way. */
    private long timestamp(CommandFields f) throws ApiFailure {
        Instant now = clock.instant();
        Long timestamp = f.optionalLong("timestamp").orElse(null);
        if (timestamp == null) {
            throw new ApiFailure(ApiCode.TIMESTAMP_OUT_OF_RANGE, "timestamp", "timestamp is required");
        }
        // Compared as bounds, never as a difference: timestamp − now overflows for a timestamp near
        // Long.MIN_VALUE, and Math.abs(Long.MIN_VALUE) is negative, which let such a timestamp pass
        // this check. now ± window saturates, so even a configured window of centuries cannot overflow.
        long nowSeconds = now.getEpochSecond();
        long earliest = saturatedSubtract(nowSeconds, window.toSeconds());
        long latest = saturatedAdd(nowSeconds, window.toSeconds());
        if (timestamp < earliest || timestamp > latest) {
            throw new ApiFailure(ApiCode.TIMESTAMP_OUT_OF_RANGE, "timestamp",
                    "timestamp " + timestamp + " is more than " + window.toSeconds() + " s from the server's time " + now.getEpochSecond());
        }
        return timestamp;
    }

    /** 0003: the signature, over the text as sent without the signature member; @return its bytes */
    private static byte[] signature(CommandFields f, Json.ParsedObject parsed, Account account) throws ApiFailure {
        String signature = f.optionalString("signature").orElse(null);
        if (signature == null) {
            throw new ApiFailure(ApiCode.SIGNATURE_FAILED, "signature", "signature is required");
        }
        byte[] given = decodeBase64(signature);
        boolean verified = false;
        for (String signed : signedTexts(parsed)) {
            // Every candidate is checked, so the time taken does not tell which one matched.
            verified |= given != null & MessageDigest.isEqual(hmac(account.secret(), signed), given);
        }
        if (!verified) {
            throw new ApiFailure(ApiCode.SIGNATURE_FAILED, null);
        }
        return given;
    }

    /**
     * The texts the client may have signed. First, what it sent with the signature member cut out:
     * PHP signs {@code json_encode($request)} and appends the signature, so this is exactly it.
     * Then the same members in the order a {@code java.util.HashMap} sized for them iterates:
     * org.json copies a map into {@code new HashMap(size)}, so adding {@code signature} can resize
     * the table and reorder the other members between the signed and the posted text (ScaleEngine's
     * Java example). Each member keeps the exact bytes it was sent with.
     */
    static List<String> signedTexts(Json.ParsedObject parsed) {
        List<String> texts = new ArrayList<>(3);
        texts.add(parsed.without("signature"));
        List<String> posted = new ArrayList<>(parsed.spans().keySet());
        posted.remove("signature");
        List<String> javaClientOrder = new ArrayList<>();
        for (String first : List.of("api_key", "cdn", "command")) {
            if (posted.contains(first)) {
                javaClientOrder.add(first);
            }
        }
        posted.stream().filter(k -> !javaClientOrder.contains(k) && !k.equals("timestamp")).forEach(javaClientOrder::add);
        if (posted.contains("timestamp")) {
            javaClientOrder.add("timestamp");
        }
        for (List<String> insertion : List.of(javaClientOrder, posted)) {
            java.util.HashMap<String, Boolean> table = new java.util.HashMap<>(insertion.size());
            insertion.forEach(k -> table.put(k, Boolean.TRUE));
            StringBuilder text = new StringBuilder(parsed.source().length()).append('{');
            for (String k : table.keySet()) {
                int[] span = parsed.spans().get(k);
                if (text.length() > 1) {
                    text.append(',');
                }
                text.append(parsed.source(), span[0], span[1]);
            }
            String candidate = text.append('}').toString();
            if (!texts.contains(candidate)) {
                texts.add(candidate);
            }
        }
        return texts;
    }

    static byte[] hmac(String secret, String text) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? (b < 0 ? Long.MIN_VALUE : Long.MAX_VALUE) : r;
    }

    private static long saturatedSubtract(long a, long b) {
        long r = a - b;
        return ((a ^ b) & (a ^ r)) < 0 ? (b > 0 ? Long.MIN_VALUE : Long.MAX_VALUE) : r;
    }

    private static byte[] decodeBase64(String text) {
        try {
            return Base64.getDecoder().decode(text.trim());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
