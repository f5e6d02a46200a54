package dev.usher.core.api;

import dev.usher.core.account.Account;
import dev.usher.core.log.LogText;
import dev.usher.core.rule.PatternList;
import dev.usher.core.rule.WildcardPattern;
import dev.usher.core.service.UsherService;
import dev.usher.core.ticket.Ticket;
import dev.usher.core.viewer.Format;
import dev.usher.core.viewer.TicketViewing;
import dev.usher.core.viewer.ViewerCounts;
import dev.usher.core.viewer.ViewerStore;
import dev.usher.core.viewer.ViewerTally;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The viewer commands (issue 16), both read-only, so a repeated signed request simply runs again:
 * <ul>
 * <li>{@code vsn.viewercount} ({@code app}, {@code url}, both required; ScaleEngine's name, as its
 * Java example client sends it): the viewers active now. {@code app} is a {@code |} list with
 * {@code *} wildcards inside the account's namespace (else 0001); {@code url} a {@code |} list of
 * stream or video names with {@code *}, or {@code _root_} for the whole app. {@code data} holds one
 * row per {@code url} item, so {@code data[0]} always exists: {@code app} (as asked), {@code url}
 * (the item), {@code count}, {@code total} (the sum of every row's count, on each row),
 * {@code viewer_count} and {@code viewer_count_sum} (the same two under the names ScaleEngine's
 * answer uses, {@code data[0].viewer_count_sum}), {@code formats} ({@code hls}, {@code dash},
 * {@code mp4}, {@code other}) and {@code networks} ({@code ipv4}, {@code ipv6}).</li>
 * <li>{@code sevu.viewers} ({@code key}): a ticket's figures, {@code active}, {@code playbacks}
 * (player instances seen) and {@code viewer_minutes} (one decimal); another account's key is 2004
 * like {@code sevu.status}.</li>
 * </ul>
 */
public final class ViewerCommands implements CommandGroup {

    static final Commands COMMANDS = new Commands(Map.of(
            "vsn.viewercount", Set.of("app", "url"),
            "sevu.viewers", Set.of("key")), Set.of());

    /** The {@code url} that selects every stream and video of the app. */
    public static final String ROOT = "_root_";

    private final UsherService service;
    private final ViewerStore viewers;

    public ViewerCommands(UsherService service, ViewerStore viewers) {
        this.service = service;
        this.viewers = viewers;
    }

    @Override
    public Commands commands() {
        return COMMANDS;
    }

    @Override
    public SevuApi.Answer handle(SignedCommand command) throws ApiFailure {
        return switch (command.name()) {
            case "vsn.viewercount" -> viewerCount(command.account(), command.fields());
            case "sevu.viewers" -> ticketViewers(command.account(), command.fields());
            default -> throw new IllegalStateException(command.name());
        };
    }

    private SevuApi.Answer viewerCount(Account account, CommandFields f) throws ApiFailure {
        f.require("app", "url");
        String appText = f.string("app");
        String urlText = f.string("url");
        PatternList apps = patterns("app", appText);
        List<String> outside = account.appsOutsideNamespace(apps);
        if (!outside.isEmpty()) {
            // Tenants apart, as sevu.request and sevu.listrecordings: another account's viewers are not counted.
            throw new ApiFailure(ApiCode.CDN_AUTHORIZATION_FAILED, "app", "app " + LogText.safe(String.join("|", outside))
                    + " is outside account " + account.cdnId() + "'s applications (" + account.apps().text() + ")");
        }
        List<WildcardPattern> items = urlText.equals(ROOT) ? null : patterns("url", urlText).patterns();
        Predicate<String> app = a -> apps.matches(a) && account.ownsApp(a);
        List<ViewerTally> tallies = viewers.tally(service.now());
        List<Map<String, Object>> rows = new ArrayList<>();
        int total = 0;
        if (items == null) {
            ViewerCounts c = ViewerCounts.of(tallies, app, video -> true);
            rows.add(row(appText, ROOT, c));
            total = c.count();
        } else {
            for (WildcardPattern item : items) {
                ViewerCounts c = ViewerCounts.of(tallies, app, item::matches);
                rows.add(row(appText, item.text(), c));
                total += c.count();
            }
        }
        for (Map<String, Object> row : rows) {
            row.put("total", total);
            row.put("viewer_count_sum", total);
        }
        Map<String, Object> body = SevuApi.success(ApiCode.VIEWER_COUNTS_FOUND);
        body.put("data", rows);
        return new SevuApi.Answer(ApiCode.VIEWER_COUNTS_FOUND, body);
    }

    private static Map<String, Object> row(String app, String url, ViewerCounts c) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("app", app);
        row.put("url", url);
        row.put("count", c.count());
        row.put("total", 0);
        row.put("viewer_count", c.count());
        row.put("viewer_count_sum", 0);
        Map<String, Object> formats = new LinkedHashMap<>();
        for (Format format : Format.values()) {
            formats.put(format.wireName(), c.formats().get(format));
        }
        row.put("formats", formats);
        Map<String, Object> networks = new LinkedHashMap<>();
        networks.put("ipv4", c.ipv4());
        networks.put("ipv6", c.ipv6());
        row.put("networks", networks);
        return row;
    }

    private SevuApi.Answer ticketViewers(Account account, CommandFields f) throws ApiFailure {
        f.require("key");
        Ticket ticket = service.status(account, f.string("key"))
                .orElseThrow(() -> new ApiFailure(ApiCode.TICKET_NOT_FOUND, "key", null));
        Instant now = service.now();
        TicketViewing v = viewers.ofTicket(ticket.key(), now);
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("key", ticket.key());
        data.put("active", v.active());
        data.put("playbacks", v.playbacks());
        data.put("viewer_minutes", BigDecimal.valueOf(v.viewerSeconds()).divide(BigDecimal.valueOf(60), 1, RoundingMode.HALF_UP));
        Map<String, Object> body = SevuApi.success(ApiCode.TICKET_VIEWERS_FOUND);
        body.put("data", data);
        return new SevuApi.Answer(ApiCode.TICKET_VIEWERS_FOUND, body);
    }

    private static PatternList patterns(String field, String text) throws ApiFailure {
        try {
            return PatternList.parse(field, text);
        } catch (IllegalArgumentException e) {
            throw new ApiFailure(ApiCode.INVALID_FIELD_VALUE, field, e.getMessage());
        }
    }
}
