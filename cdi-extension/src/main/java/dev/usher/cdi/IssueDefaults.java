package dev.usher.cdi;

import dev.usher.core.UsherConfiguration;

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
}
