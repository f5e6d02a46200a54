package dev.usher.cdi;

import dev.usher.core.UsherConfiguration;
import dev.usher.core.account.Account;
import dev.usher.core.account.AccountRegistry;

/**
 * How the {@code usher} bean issues tickets when the caller says nothing else: the issuing part of
 * the one configuration ({@link UsherConfiguration.Issue}, which reads and checks the keys at start).
 *
 * @param uses           {@code usher.issue.uses}, default 3: playback starts per ticket
 * @param expire         {@code usher.issue.expire}, default {@code +4 hours}
 * @param ip             {@code usher.issue.ip}, default {@code auto/24}: the first network that plays keeps the ticket
 * @param allowAnonymous {@code usher.issue.allow-anonymous}, default false: refuse requests with no signed-in user
 * @param cdnId          {@code usher.issue.account}: the account the tickets belong to; default the
 *                       first configured API account, else 0 (a local account the API can't reach)
 */
public record IssueDefaults(int uses, String expire, String ip, boolean allowAnonymous, long cdnId) {

    static IssueDefaults of(UsherConfiguration.Issue issue) {
        return new IssueDefaults(issue.uses(), issue.expire(), issue.ip(), issue.allowAnonymous(), issue.cdnId());
    }

    /**
     * @return the account the tickets are issued for and read as: the API account of {@link #cdnId}
     *         among {@code accounts}, or, for a cdn id without one (the site's own), a local account
     *         that no API request can act as
     */
    public Account account(AccountRegistry accounts) {
        return accounts.byCdnId(cdnId).orElseGet(() -> new Account(cdnId, "-", "-", "local"));
    }
}
