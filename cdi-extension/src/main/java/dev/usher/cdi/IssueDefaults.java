package dev.usher.cdi;

import dev.usher.core.config.ConfigReader;

import java.util.Optional;

/**
 * How the {@code usher} bean issues tickets when the caller says nothing else, from configuration.
 *
 * @param uses           {@code usher.issue.uses}, default 3: playback starts per ticket
 * @param expire         {@code usher.issue.expire}, default {@code +4 hours}
 * @param ip             {@code usher.issue.ip}, default {@code auto/24}: the first network that plays keeps the ticket
 * @param allowAnonymous {@code usher.issue.allow-anonymous}, default false: refuse requests with no signed-in user
 * @param cdnId          {@code usher.issue.account}: the account the tickets belong to; default the
 *                       first configured API account, else 0 (a local account the API can't reach)
 */
public record IssueDefaults(int uses, String expire, String ip, boolean allowAnonymous, long cdnId) {

    static IssueDefaults from(ConfigReader config, Optional<Long> firstAccount) {
        int uses = config.integer("usher.issue.uses", 3, 1, 1_000_000);
        String expire = config.string("usher.issue.expire", "+4 hours");
        String ip = config.string("usher.issue.ip", "auto/24");
        boolean anonymous = config.bool("usher.issue.allow-anonymous", false);
        long cdn = firstAccount.orElse(0L);
        Optional<String> configured = config.raw("usher.issue.account");
        if (configured.isPresent()) {
            try {
                cdn = Long.parseLong(configured.get());
            } catch (NumberFormatException e) {
                config.problem("usher.issue.account: '" + configured.get() + "' is not a cdn id");
            }
        }
        return new IssueDefaults(uses, expire, ip, anonymous, cdn);
    }
}
