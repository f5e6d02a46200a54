package dev.usher.core.account;

import dev.usher.core.config.ConfigReader;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads API accounts from configuration: {@code usher.account.<cdn>.api-key},
 * {@code usher.account.<cdn>.secret}, {@code usher.account.<cdn>.username} and the optional
 * {@code usher.account.<cdn>.apps} (the account's application namespace, a {@code |} list of wildcard
 * patterns; default {@code username-*}) and the optional {@code usher.account.<cdn>.commands} (the
 * JSON API commands the account may run, a {@code |} list of {@link #COMMANDS}; default all), for
 * every cdn id that appears among the configured property names, in their own form or as
 * environment variables name them ({@code USHER_ACCOUNT_158_API_KEY}: MicroProfile Config lists
 * environment variables under those names, and maps the dotted key to them when it is looked up).
 * A secret that has been published (see {@link dev.usher.core.config.PublishedSecrets}) is refused.
 */
public final class AccountConfig {

    private static final Pattern KEY = Pattern.compile("usher\\.account\\.(\\d{1,18})\\.(api-key|secret|username|apps|commands)");
    /** The same keys as environment variable names. */
    private static final Pattern ENV_KEY = Pattern.compile("USHER_ACCOUNT_(\\d{1,18})_(API_KEY|SECRET|USERNAME|APPS|COMMANDS)");
    private static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    /** Shortest secret accepted: a guessable secret signs anything. */
    public static final int MIN_SECRET = 16;

    /**
     * The JSON API commands an account may be allowed ({@code sevu.search} also stands for the
     * the Java example client's search, docs/PROTOCOL.md#java-client, an empty {@code command}). Must name every command
     * {@code SevuApi} serves (a test holds them equal).
     */
    public static final Set<String> COMMANDS = Set.of("sevu.request", "sevu.status", "sevu.revoke",
            "sevu.errorlog", "sevu.search",
            "sevu.addstreamuser", "sevu.liststreamusers", "sevu.removestreamuser", "sevu.publishlog", "sevu.listrecordings",
            "vsn.viewercount", "sevu.viewers");

    private AccountConfig() {
    }

    /**
     * @param names every configured property name (MicroProfile Config's {@code getPropertyNames()})
     */
    public static AccountRegistry read(ConfigReader config, Iterable<String> names) {
        Set<Long> ids = new TreeSet<>();
        for (String name : names) {
            Matcher m = KEY.matcher(name);
            if (!m.matches()) {
                m = ENV_KEY.matcher(name);
            }
            if (m.matches()) {
                ids.add(Long.parseLong(m.group(1)));
            }
        }
        List<Account> accounts = new ArrayList<>();
        for (long id : ids) {
            String prefix = "usher.account." + id + ".";
            String apiKey = config.raw(prefix + "api-key").orElse(null);
            String secret = config.raw(prefix + "secret").orElse(null);
            String username = config.raw(prefix + "username").orElse(null);
            boolean ok = true;
            if (apiKey == null || apiKey.length() < 8) {
                config.problem(prefix + "api-key is missing or shorter than 8 characters");
                ok = false;
            }
            if (secret == null || secret.length() < MIN_SECRET) {
                config.problem(prefix + "secret is missing or shorter than " + MIN_SECRET + " characters");
                ok = false;
            }
            if (secret != null && dev.usher.core.config.PublishedSecrets.isPublished(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8))) {
                config.problem(prefix + "secret is a published value (it appears in Usher's own files): "
                        + "set a secret of your own, e.g. 32 random bytes in base64");
                ok = false;
            }
            if (username == null || !USERNAME.matcher(username).matches()) {
                config.problem(prefix + "username is missing or not made of letters, digits, _, . and -");
                ok = false;
            }
            dev.usher.core.rule.PatternList apps = null;
            java.util.Optional<String> appsText = config.raw(prefix + "apps");
            if (appsText.isPresent()) {
                try {
                    apps = dev.usher.core.rule.PatternList.parse(prefix + "apps", appsText.get().trim());
                } catch (IllegalArgumentException e) {
                    config.problem(e.getMessage());
                    ok = false;
                }
            }
            Set<String> commands = null;
            java.util.Optional<String> commandsText = config.raw(prefix + "commands");
            if (commandsText.isPresent()) {
                commands = new TreeSet<>();
                for (String entry : commandsText.get().split("\\|", -1)) {
                    String command = entry.trim();
                    if (COMMANDS.contains(command)) {
                        commands.add(command);
                    } else {
                        config.problem(prefix + "commands: '" + (command.length() > 64 ? command.substring(0, 64) + "…" : command)
                                + "' is not a command (a | list of " + String.join(", ", new TreeSet<>(COMMANDS)) + ")");
                        ok = false;
                    }
                }
            }
            if (ok) {
                accounts.add(new Account(id, apiKey, secret, username, apps, commands));
            }
        }
        return new AccountRegistry(accounts);
    }
}
