package dev.usher.cdi;

import dev.usher.core.account.Account;
import dev.usher.core.attempt.Attempt;
import dev.usher.core.http.MediaLayout;
import dev.usher.core.media.MediaPath;
import dev.usher.core.repository.TicketQuery;
import dev.usher.core.service.IssueRequest;
import dev.usher.core.ticket.Ticket;
import dev.usher.servlet.UsherRuntime;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.servlet.http.HttpServletRequest;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * Issues tickets to the signed-in user of the current request and builds the URLs their players
 * open. Reachable from pages as {@code usher}:
 * <pre>{@code <video src="#{usher.url('demo-vod', 'movies/trailer.mp4')}">}</pre>
 *
 * <p>Each ticket's pass is {@code <user>|<random>}, as the v2 SEVU Token page suggests (docs/PROTOCOL.md#sevu-token), so attempt logs can be
 * matched to users; the random part (96 bits from {@link SecureRandom}) makes it unguessable. Uses,
 * expiry and the IP rule come from {@link IssueDefaults} unless given per call.
 *
 * <p>The tickets belong to {@code usher.issue.account} and keep to its application namespace, as
 * every issued ticket does ({@link dev.usher.core.account.AppNamespaces}): an API account's apps
 * ({@code username-*} by default), or, for a cdn id with no API account (the site's own, {@code 0}),
 * the apps no API account owns. An app outside it is a {@link dev.usher.core.service.TicketRequestException}.
 */
@Named("usher")
@RequestScoped
public class UsherTickets {

    private static final SecureRandom RANDOM = new SecureRandom();

    @Inject
    UsherRuntime runtime;

    @Inject
    IssueDefaults defaults;

    @Inject
    HttpServletRequest request;

    /** @return the URL of {@code path} under {@code app}, with a fresh ticket for the current user */
    public String url(String app, String path) {
        return issue(app, path).url();
    }

    /**
     * @param refUrl how the viewer reached the page that plays (e.g. the page's {@code document.referrer}),
     *               logged as the attempts' {@code refurl}; null or empty when unknown
     * @return the URL of {@code path} under {@code app}, with a fresh ticket for the current user
     */
    public String url(String app, String path, String refUrl) {
        return issue(app, path, refUrl).url();
    }

    /** Issues a ticket with the configured defaults. */
    public PlaybackUrl issue(String app, String path) {
        return issue(app, path, null);
    }

    /** Issues a ticket with the configured defaults; the URL carries {@code refUrl} (see {@link #url(String, String, String)}). */
    public PlaybackUrl issue(String app, String path, String refUrl) {
        return issue(app, path, defaults.uses(), defaults.expire(), defaults.ip(), refUrl);
    }

    /** {@link #issue(String, String, int, String, String, String)} with no {@code refurl}. */
    public PlaybackUrl issue(String app, String path, int uses, String expire, String ip) {
        return issue(app, path, uses, expire, ip, null);
    }

    /**
     * Issues a ticket for the media item at {@code path} under {@code app}: a file is its own video,
     * a manifest's video is its folder (so the ticket covers the package).
     *
     * @param refUrl how the viewer reached the page that plays, put on the URL as {@code refurl}
     *               (cut to {@value #MAX_REFURL} characters); null or empty for none
     * @throws NotSignedInException when no user is signed in and anonymous issuing is off
     * @throws dev.usher.core.service.TicketRequestException for invalid values
     */
    public PlaybackUrl issue(String app, String path, int uses, String expire, String ip, String refUrl) {
        return issue(app, path, uses, expire, ip, refUrl, 0);
    }

    /**
     * {@link #issue(String, String, int, String, String, String)} for a ticket on which at most
     * {@code concurrent} players play at once (issue 16: a further one is refused with Too many
     * concurrent playbacks while they play); 0 sets no limit.
     */
    public PlaybackUrl issue(String app, String path, int uses, String expire, String ip, String refUrl, int concurrent) {
        String user = user().orElseThrow(NotSignedInException::new);
        // The ticket names exactly this item: * and | would make it a pattern covering others.
        if (!isLiteral(app) || !isLiteral(path) || app.contains("/") || app.isEmpty()) {
            throw new IllegalArgumentException("'" + app + "' / '" + path + "' is not a plain app and media path");
        }
        MediaPath media = MediaPath.parse(app + "/" + path, null);
        if (media == null) {
            throw new IllegalArgumentException("'" + app + "' / '" + path + "' names no media item");
        }
        byte[] random = new byte[12];
        RANDOM.nextBytes(random);
        String pass = user + "|" + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        Ticket ticket = runtime.service().issue(account(), IssueRequest.of(app, media.video(), pass, ip, uses, expire)
                .withConcurrent(concurrent));
        return new PlaybackUrl(url(app, path, ticket, refUrl), ticket);
    }

    private static boolean isLiteral(String s) {
        return s != null && s.chars().noneMatch(c -> c == '*' || c == '|' || c == '\\' || c < 0x20 || c == 0x7f);
    }

    /** Longest {@code refurl} put on a URL: what the attempt log keeps. */
    public static final int MAX_REFURL = MediaLayout.MAX_REFURL;

    private String url(String app, String path, Ticket ticket, String refUrl) {
        return runtime.mediaLayout().entryUrl(request.getContextPath(), app, path, ticket.key(), ticket.pass(), refUrl);
    }

    /** @return true when the request has a signed-in user */
    public boolean isSignedIn() {
        return request.getUserPrincipal() != null;
    }

    /** @return the signed-in user's name; "anonymous" when anonymous issuing is allowed; else empty */
    public Optional<String> user() {
        if (request.getUserPrincipal() != null) {
            return Optional.of(request.getUserPrincipal().getName());
        }
        return defaults.allowAnonymous() ? Optional.of("anonymous") : Optional.empty();
    }

    /** @return the tickets issued to the signed-in user, newest first (none when signed out) */
    public List<Ticket> getMine() {
        Optional<String> user = Optional.ofNullable(request.getUserPrincipal()).map(java.security.Principal::getName);
        if (user.isEmpty()) {
            return List.of();
        }
        String prefix = user.get() + "|";
        return runtime.service().search(account(), new TicketQuery(null, null, TicketQuery.MAX_LIMIT)).stream()
                .filter(t -> t.pass().startsWith(prefix)).toList();
    }

    /** @return the attempt log of one of the signed-in user's tickets (empty for anyone else's) */
    public List<Attempt> attempts(String key) {
        if (getMine().stream().noneMatch(t -> t.key().equals(key))) {
            return List.of();
        }
        return runtime.service().errorlog(account(), key, null).orElse(List.of());
    }

    private Account account() {
        return defaults.account(runtime.accounts());
    }
}
