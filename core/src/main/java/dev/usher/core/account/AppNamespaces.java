package dev.usher.core.account;

import dev.usher.core.rule.PatternList;
import dev.usher.core.rule.WildcardPattern;

import java.util.List;
import java.util.Objects;

/**
 * Which account owns which applications, so that one account's tickets can neither name nor open
 * another account's media.
 *
 * <p>A configured API account owns the apps its namespace matches ({@link Account#apps()}, by
 * default {@code username-*}). Any other cdn id — the site's own tickets issued by the {@code usher}
 * CDI bean with no API account behind them ({@code usher.issue.account} unset or not configured) —
 * is the <em>default namespace</em>: every app that no API account owns. Where API accounts' widened
 * namespaces overlap, each of them may use the shared apps.
 *
 * <p>Applied twice: when a ticket is issued ({@link #outside}) and when a ticket is used
 * ({@link #mayOpen}), so a ticket stored before a namespace was narrowed, or by a node configured
 * differently, still can't open an app its account does not own.
 */
public final class AppNamespaces {

    /** No accounts: the default namespace is every app (a service used without API accounts). */
    public static final AppNamespaces OPEN = new AppNamespaces(new AccountRegistry(List.of()));

    private final AccountRegistry accounts;

    public AppNamespaces(AccountRegistry accounts) {
        this.accounts = Objects.requireNonNull(accounts);
    }

    /**
     * @param issuer the account a ticket is issued to
     * @param app    the ticket's {@code app} patterns
     * @return the entries of {@code app} outside the issuer's namespace (empty when all are inside)
     */
    public List<String> outside(Account issuer, PatternList app) {
        Account registered = accounts.byCdnId(issuer.cdnId()).orElse(null);
        if (registered != null) {
            return registered.appsOutsideNamespace(app);
        }
        if (accounts.all().isEmpty()) {
            return List.of();
        }
        // The default namespace: a name no API account owns. A wildcard entry could reach into an
        // account's namespace, and telling whether two patterns overlap is not worth the risk: refused.
        return app.patterns().stream().map(WildcardPattern::text)
                .filter(p -> p.indexOf('*') >= 0 || accounts.all().stream().anyMatch(a -> a.ownsApp(p))).toList();
    }

    /** @return true when a ticket of account {@code cdnId} may open the application {@code app} */
    public boolean mayOpen(long cdnId, String app) {
        return accounts.byCdnId(cdnId).map(a -> a.ownsApp(app))
                .orElseGet(() -> accounts.all().stream().noneMatch(a -> a.ownsApp(app)));
    }

    /** @return a sentence naming the namespace of {@code issuer}, for refusals */
    public String describe(Account issuer) {
        return accounts.byCdnId(issuer.cdnId())
                .map(a -> "account " + a.cdnId() + "'s applications are " + a.apps().text())
                .orElse("tickets without an API account may name only applications no API account owns, without wildcards");
    }
}
