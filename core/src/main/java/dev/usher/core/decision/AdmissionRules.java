package dev.usher.core.decision;

import dev.usher.core.net.IpNetwork;
import dev.usher.core.rule.IpRestriction;
import dev.usher.core.ticket.Ticket;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The rules that admit or refuse a playback request, as a pure function of the ticket, its open
 * playbacks, the request and the time. Repositories call it inside their atomic step and store
 * what it returns, so every repository decides exactly alike.
 *
 * <p>The rules, in the order of {@code sevu.errorlog}'s reasons (the first that fails is the
 * reason): the key is known and the pass right (compared in constant time); the ticket is active;
 * not expired; the app matches and the ticket's account owns it; a use remains, unless the request
 * continues an open playback; the client's address is allowed (binding a free {@code auto} slot if
 * need be); the video matches, unless the request continues an open playback (see {@link Playback}:
 * a request from its client inside the playback's package folder, or its file); and, last, Usher's own
 * rule: for a ticket with a {@code concurrent} limit, fewer than that many other viewers are active
 * (asked of {@link PlaybackRequest#countOtherViewers()} only then, so a ticket without the limit never
 * reads a viewer store; asked of a continuing request too, since a second player of one client
 * continues the first's playback but is a viewer of its own). A grant that starts
 * a playback consumes one use, binds the slot it needed, sets the first use the first time and the
 * last use every time; a refusal changes nothing.
 */
public final class AdmissionRules {

    /** Open playbacks remembered per ticket; the least recently seen is forgotten first. */
    public static final int MAX_OPEN_PLAYBACKS = 64;

    private final Duration playbackWindow;
    /** The window as seconds and nanoseconds, so that "open at now" is decided without an Instant per call. */
    private final long windowSeconds;
    private final int windowNanos;

    /**
     * @param playbackWindow how long after its latest request a playback stays open
     */
    public AdmissionRules(Duration playbackWindow) {
        if (playbackWindow.isNegative() || playbackWindow.isZero()) {
            throw new IllegalArgumentException("the playback window must be positive");
        }
        this.playbackWindow = playbackWindow;
        this.windowSeconds = playbackWindow.getSeconds();
        this.windowNanos = playbackWindow.getNano();
    }

    public Duration playbackWindow() {
        return playbackWindow;
    }

    /**
     * What a decision leaves behind.
     *
     * @param decision  the answer
     * @param ticket    the ticket to store (the same instance when unchanged), or null for an unknown key
     * @param playbacks the open playbacks to store (the same instance when unchanged)
     */
    public record Outcome(Decision decision, Ticket ticket, List<Playback> playbacks) {

        public boolean ticketChanged(Ticket before) {
            return ticket != before;
        }
    }

    /**
     * @param ticket    the ticket named by the request's key, or null when no such ticket exists
     * @param playbacks the ticket's open playbacks as last stored (closed ones may be among them)
     */
    public Outcome evaluate(Ticket ticket, List<Playback> playbacks, PlaybackRequest request, Instant now) {
        if (ticket == null || !passMatches(ticket.pass(), request.pass())) {
            return refuse(Reason.INVALID_AUTH_TOKEN, ticket, playbacks);
        }
        if (!ticket.active()) {
            return refuse(Reason.TOKEN_REVOKED, ticket, playbacks);
        }
        if (ticket.isExpired(now)) {
            return refuse(Reason.EXPIRED, ticket, playbacks);
        }
        // The ticket names the app, and its account owns it: a ticket of one account never opens another's.
        if (!ticket.app().matches(request.app()) || !request.appOwnedBy(ticket.cdnId())) {
            return refuse(Reason.WRONG_APPLICATION, ticket, playbacks);
        }
        // Matched before the playbacks are looked at (it is pure, and its refusal still comes after the
        // uses' below): a client that a bound slot allows is inside that slot's network, the very object a
        // playback started through the slot keeps, so that playback needs no second look at its network.
        IpRestriction.Match match = ticket.ip().match(request.client());
        int continuing = openPlaybackOf(playbacks, request, now, match.allowed() ? match.network() : null);
        if (continuing < 0 && ticket.uses() <= 0) {
            return refuse(Reason.EXCEEDED_MAX_VIEWS, ticket, playbacks);
        }
        if (!match.allowed()) {
            return refuse(Reason.INVALID_IP_ADDRESS, ticket, playbacks);
        }
        // A continuing request is authorized by its playback, whose video was checked at the start: a
        // variant playlist or segment below the manifest's folder need not match the ticket's pattern.
        if (continuing < 0 && !ticket.video().matches(request.video())
                && (request.manifestPath() == null || !ticket.video().matches(request.manifestPath()))) {
            return refuse(Reason.VIDEO_NOT_AUTHORIZED, ticket, playbacks);
        }
        // Checked before anything is consumed or bound, so a refusal changes no state.
        if (ticket.concurrent() > 0 && request.countOtherViewers() >= ticket.concurrent()) {
            return refuse(Reason.TOO_MANY_PLAYBACKS, ticket, playbacks);
        }
        if (continuing >= 0) {
            Playback open = playbacks.get(continuing).seenAt(now);
            return new Outcome(new Decision(Reason.SUCCESS, ticket, open.client(), false, null, -1), ticket,
                    replaced(playbacks, continuing, open));
        }
        IpRestriction ipAfter = match.bindSlot() >= 0 ? ticket.ip().bind(match.bindSlot(), match.network()) : ticket.ip();
        Ticket consumed = ticket.consumed(ipAfter, now);
        Instant openAfter = now.minus(playbackWindow); // open ⟺ lastSeen > now - window
        List<Playback> after = new ArrayList<>(playbacks.size() + 1);
        int oldest = -1;
        for (Playback p : playbacks) {
            if (p.lastSeen().isAfter(openAfter)) {
                if (oldest < 0 || p.lastSeen().isBefore(after.get(oldest).lastSeen())) {
                    oldest = after.size();
                }
                after.add(p);
            }
        }
        if (after.size() >= MAX_OPEN_PLAYBACKS) {
            after.remove(oldest); // forget the least recently seen
        }
        Playback opened = new Playback(Playback.scopeOf(request), match.network(), now, now);
        after.add(opened);
        return new Outcome(new Decision(Reason.SUCCESS, consumed, match.network(), true, opened, match.bindSlot()),
                consumed, List.copyOf(after));
    }

    /**
     * Undoes the playback that {@code grant} opened, for a request that was granted but could not
     * be served (the file was missing, the manifest unreadable): the playback is forgotten, its use
     * given back, the {@code auto} slot it bound freed unless another open playback stands on it,
     * and, when this playback set the first or the last use, that moves to the next playback started
     * since (or back to none), or to the latest start still remembered.
     *
     * <p>The stored playback is the proof that there is something to undo: once it is gone (undone
     * already, or forgotten) this returns null, so one grant never gives a use back twice.
     *
     * @param ticket    the ticket as stored now
     * @param playbacks its playbacks as stored now
     * @return what to store, or null when there is nothing to undo
     */
    public Outcome release(Ticket ticket, List<Playback> playbacks, Decision grant) {
        Playback opened = grant.opened();
        if (ticket == null || opened == null || grant.ticket() == null || !grant.ticket().key().equals(ticket.key())) {
            return null;
        }
        int index = -1;
        for (int i = 0; i < playbacks.size(); i++) {
            Playback p = playbacks.get(i);
            if (p.started().equals(opened.started()) && p.scope().equals(opened.scope()) && p.client().equals(opened.client())) {
                index = i;
                break;
            }
        }
        if (index < 0) {
            return null;
        }
        List<Playback> after = new ArrayList<>(playbacks);
        after.remove(index);
        IpRestriction ip = ticket.ip();
        int slot = grant.boundSlot();
        if (slot >= 0 && slot < ip.bindings().size() && opened.client().equals(ip.bindings().get(slot))
                && after.stream().noneMatch(p -> p.client().equals(opened.client()))) {
            List<IpNetwork> bound = new ArrayList<>(ip.bindings());
            bound.set(slot, null);
            ip = IpRestriction.restore(ip.text(), bound);
        }
        Instant usedDate = ticket.usedDate();
        if (usedDate != null && usedDate.equals(opened.started())) {
            // This playback was the first use: the first is now the earliest one still standing, if any.
            usedDate = after.stream().map(Playback::started).filter(s -> !s.isBefore(opened.started()))
                    .min(Instant::compareTo).orElse(null);
        }
        Instant lastUsed = ticket.lastUsed();
        if (lastUsed != null && lastUsed.equals(opened.started())) {
            // This playback was the last use: the last is now the latest start still remembered; when
            // none is, the first use (never later than the true last one), or none.
            lastUsed = after.stream().map(Playback::started).max(Instant::compareTo).orElse(usedDate);
        }
        Ticket restored = new Ticket(ticket.key(), ticket.cdnId(), ticket.pass(), ip, ticket.video(), ticket.app(),
                ticket.uses() == Integer.MAX_VALUE ? ticket.uses() : ticket.uses() + 1, ticket.active(),
                ticket.created(), ticket.expires(), usedDate, ticket.id(), usedDate == null ? null : lastUsed,
                ticket.concurrent());
        return new Outcome(grant, restored, List.copyOf(after));
    }

    /**
     * @return the index of the open playback {@code request} continues: one from the same client (or
     * the network its slot bound) whose scope holds the request's path, the manifest's folder and
     * below for HLS and DASH, the file itself for an MP4; -1 when there is none
     * @param holdsClient a network known to contain the request's client (the ip rule's match), or null
     */
    private int openPlaybackOf(List<Playback> playbacks, PlaybackRequest request, Instant now, IpNetwork holdsClient) {
        for (int i = 0; i < playbacks.size(); i++) {
            Playback p = playbacks.get(i);
            if (p.covers(request.app(), request.path())
                    && (p.client() == holdsClient || p.client().contains(request.client()))
                    && seenWithinWindow(p.lastSeen(), now)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * @return {@code lastSeen > now - window} (a playback open at {@code now}), computed as
     *         {@code lastSeen + window > now} on the numbers: {@code now.minus} made an Instant on
     *         every continuing decision, the hot path
     */
    private boolean seenWithinWindow(Instant lastSeen, Instant now) {
        long seconds = lastSeen.getEpochSecond() + windowSeconds; // Instant's range is far inside a long's
        int nanos = lastSeen.getNano() + windowNanos;
        if (nanos >= 1_000_000_000) {
            seconds++;
            nanos -= 1_000_000_000;
        }
        return seconds > now.getEpochSecond() || (seconds == now.getEpochSecond() && nanos > now.getNano());
    }

    /** @return {@code playbacks} with entry {@code index} replaced, immutable, in one copy */
    private static List<Playback> replaced(List<Playback> playbacks, int index, Playback p) {
        if (playbacks.size() == 1) {
            return List.of(p); // the common case: one viewer's one playback
        }
        Playback[] after = playbacks.toArray(new Playback[0]);
        after[index] = p;
        return List.of(after);
    }

    private static Outcome refuse(Reason reason, Ticket ticket, List<Playback> playbacks) {
        return new Outcome(Decision.refused(reason, ticket), ticket, playbacks);
    }

    /**
     * Compares in time that depends only on the stored pass's length, never on where the texts
     * first differ. Compares the characters themselves (two texts have the same UTF-8 bytes when
     * they have the same characters), so the hot path copies neither text into a byte array.
     */
    static boolean passMatches(String stored, String given) {
        Objects.requireNonNull(given);
        int n = stored.length();
        int m = given.length();
        int diff = n ^ m;
        for (int i = 0; i < n; i++) {
            // Every stored character is compared, against the given one or, past its end, its first
            // (or 0 for an empty text): the work depends on the stored length only.
            char g = m == 0 ? 0 : given.charAt(i < m ? i : 0);
            diff |= stored.charAt(i) ^ g;
        }
        return diff == 0;
    }
}
