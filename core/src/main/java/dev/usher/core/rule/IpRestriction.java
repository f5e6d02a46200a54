package dev.usher.core.rule;

import dev.usher.core.net.IpAddress;
import dev.usher.core.net.IpNetwork;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The {@code ip} rule of a ticket: a pipe-separated list of entries, each one of
 * <ul>
 * <li>an address, {@code 192.0.2.7} or {@code 2001:db8::7};</li>
 * <li>a CIDR block, {@code 192.168.0.0/24} ({@code 0.0.0.0/0} or {@code ::/0} allow every address
 *     of both families, as the v2 page says);</li>
 * <li>{@code auto} or {@code auto/N}: a slot that binds, on the ticket's first granted playback from
 *     an address no other entry allows, to that client's network.</li>
 * </ul>
 *
 * <p>IPv4 and IPv6 are separate families for every entry (see {@link IpNetwork}): a block of one
 * family never allows an address of the other, whatever its prefix, so {@code ::/8} allows no IPv4
 * client. Only {@code 0.0.0.0/0} and {@code ::/0} cross families. An IPv4-mapped client address
 * ({@code ::ffff:a.b.c.d}) is IPv4. A slot binds a block of its client's family, so a slot bound
 * from an IPv6 address refuses every IPv4 client, and the reverse.
 *
 * <p>What a slot binds to: for an IPv4 client, {@code auto} binds the address and {@code auto/N} its
 * /N network. For an IPv6 client, {@code auto/N} binds its /(N+32) network, so {@code auto} binds the
 * client's /64 (the subnet one device keeps while its privacy addresses rotate, RFC 8981),
 * {@code auto/24} its /56 (a typical home delegation) and {@code auto/16} its /48 (a site).
 * {@code auto/0} binds nothing and allows every address. N runs from 0 to 32.
 *
 * <p>Instances are immutable; binding a slot returns a new restriction. The text the ticket was
 * issued with is kept ({@link #text()}, what repositories store); what the API shows is
 * {@link #shown()}: that text with each bound slot replaced by what it bound, so
 * {@code auto/24|auto/24} reads {@code 192.0.2.0/24|auto/24} after one binding, as sevu.request's "will
 * update the ticket … to restrict it to the IP address of the user" says.
 */
public final class IpRestriction {

    /** Longest {@code ip} text accepted. */
    public static final int MAX_LENGTH = 1024;
    /** Most entries in one list. */
    public static final int MAX_ENTRIES = 32;

    /** One entry of the list. */
    public sealed interface Entry permits Fixed, Auto {
    }

    /** An address or block fixed at issue time. */
    public record Fixed(IpNetwork network) implements Entry {
    }

    /**
     * A slot that binds on first use.
     *
     * @param v4Prefix the N of {@code auto/N} (32 for plain {@code auto})
     * @param bound the network it bound, or null while free
     */
    public record Auto(int v4Prefix, IpNetwork bound) implements Entry {
        /** @return the network this slot binds for a client at {@code address} */
        public IpNetwork networkOf(IpAddress address) {
            if (v4Prefix == 0) {
                return IpNetwork.ANY;
            }
            return IpNetwork.of(address, address.isV4() ? v4Prefix : Math.min(128, v4Prefix + 32));
        }
    }

    /**
     * The outcome of matching a client against the list.
     *
     * @param allowed whether the client may enter
     * @param network the client's network for the one-use-per-playback identity: the slot's bound
     *                network when a slot let it in, else the client's own address; an allowed match's
     *                network always contains the client (the admission rules rely on it)
     * @param bindSlot index of the entry to bind on a granted playback, or -1
     */
    public record Match(boolean allowed, IpNetwork network, int bindSlot) {
        static final Match REFUSED = new Match(false, null, -1);
    }

    /**
     * Restrictions parsed lately, by their text, so that the many tickets issued with the same rule
     * (say {@code auto/24}) share one until a slot binds (binding makes a new one). Lossy and
     * bounded: a slot holds the last restriction whose text fell in it; immutable, so shared freely.
     */
    private static final IpRestriction[] RECENT = new IpRestriction[1024];

    private final String text;
    private final Entry[] entries;
    /**
     * For a rule of one entry that is fixed or a bound slot (most tickets: {@code auto/24} once
     * bound, or one block): that entry's network, with its bits kept here too, so that matching a
     * client reads this object alone rather than the entry array, the entry, its network and the
     * network's address (four more cache misses on a ticket not decided lately); else null.
     */
    private final IpNetwork single;
    private final boolean singleFixed;
    private final long singleHigh;
    private final long singleLow;
    private final int singlePrefix;

    private IpRestriction(String text, Entry[] entries) {
        this.text = text;
        this.entries = entries;
        IpNetwork one = null;
        boolean fixed = false;
        if (entries.length == 1 && entries[0] instanceof Fixed f) {
            one = f.network();
            fixed = true;
        } else if (entries.length == 1 && entries[0] instanceof Auto a && a.bound() != null) {
            one = a.bound();
        }
        this.single = one;
        this.singleFixed = fixed;
        this.singleHigh = one == null ? 0 : one.base().high();
        this.singleLow = one == null ? 0 : one.base().low();
        this.singlePrefix = one == null ? 0 : one.prefix128();
    }

    /**
     * Parses the rule text.
     *
     * @throws IllegalArgumentException naming every malformed entry
     */
    public static IpRestriction parse(String text) {
        Objects.requireNonNull(text, "ip");
        int slot = (text.hashCode() ^ (text.hashCode() >>> 16)) & (RECENT.length - 1);
        IpRestriction seen = RECENT[slot];
        if (seen != null && seen.text.equals(text)) {
            return seen;
        }
        if (text.isBlank()) {
            throw new IllegalArgumentException("ip must not be empty (use 0.0.0.0/0 to allow any address)");
        }
        if (text.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("ip is longer than " + MAX_LENGTH + " characters");
        }
        String[] parts = text.split("\\|", -1);
        if (parts.length > MAX_ENTRIES) {
            throw new IllegalArgumentException("ip has more than " + MAX_ENTRIES + " entries");
        }
        Entry[] entries = new Entry[parts.length];
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i].trim();
            try {
                entries[i] = parseEntry(part);
            } catch (IllegalArgumentException e) {
                problems.add("'" + part + "'");
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid ip restriction " + String.join(", ", problems)
                    + ": expected an address, a CIDR block (192.168.0.0/24), auto or auto/N, separated by |");
        }
        IpRestriction parsed = new IpRestriction(text, entries);
        RECENT[slot] = parsed;
        return parsed;
    }

    private static Entry parseEntry(String part) {
        if (part.isEmpty()) {
            throw new IllegalArgumentException("empty entry");
        }
        if (part.equals("auto")) {
            return new Auto(32, null);
        }
        if (part.startsWith("auto/")) {
            String digits = part.substring(5);
            if (digits.isEmpty() || digits.length() > 2 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new IllegalArgumentException("bad auto prefix");
            }
            int n = Integer.parseInt(digits);
            if (n > 32) {
                throw new IllegalArgumentException("auto prefix out of range");
            }
            return new Auto(n, null);
        }
        return new Fixed(IpNetwork.parse(part));
    }

    /**
     * Restores a restriction with slots bound earlier, as a repository stores it.
     *
     * @param bound one network (or null for a free slot) per entry, in entry order; fixed entries
     *              take null
     */
    public static IpRestriction restore(String text, List<IpNetwork> bound) {
        IpRestriction parsed = parse(text);
        if (bound.size() != parsed.entries.length) {
            throw new IllegalArgumentException("expected " + parsed.entries.length + " bindings, got " + bound.size());
        }
        Entry[] entries = parsed.entries.clone();
        for (int i = 0; i < entries.length; i++) {
            if (bound.get(i) != null && entries[i] instanceof Auto auto) {
                entries[i] = new Auto(auto.v4Prefix(), bound.get(i));
            }
        }
        return new IpRestriction(text, entries);
    }

    /**
     * Matches a client. Fixed entries and bound slots are tried first; only when none allows the
     * client is a free slot offered for binding, so a client never takes a second slot.
     */
    public Match match(IpAddress client) {
        if (single != null) {
            if (!IpNetwork.contains(singleHigh, singleLow, singlePrefix, client)) {
                return Match.REFUSED;
            }
            return new Match(true, singleFixed ? IpNetwork.host(client) : single, -1);
        }
        int free = -1;
        for (int i = 0; i < entries.length; i++) {
            Entry e = entries[i];
            if (e instanceof Fixed fixed) {
                if (fixed.network().contains(client)) {
                    return new Match(true, IpNetwork.host(client), -1);
                }
            } else {
                Auto auto = (Auto) e;
                if (auto.bound() == null) {
                    if (free < 0) {
                        free = i;
                    }
                } else if (auto.bound().contains(client)) {
                    return new Match(true, auto.bound(), -1);
                }
            }
        }
        if (free >= 0) {
            return new Match(true, ((Auto) entries[free]).networkOf(client), free);
        }
        return Match.REFUSED;
    }

    /** @return a restriction with entry {@code slot} bound to {@code network} */
    public IpRestriction bind(int slot, IpNetwork network) {
        Entry[] copy = entries.clone();
        Auto auto = (Auto) copy[slot];
        if (auto.bound() != null) {
            throw new IllegalStateException("slot " + slot + " is already bound");
        }
        copy[slot] = new Auto(auto.v4Prefix(), network);
        return new IpRestriction(text, copy);
    }

    /** @return the text as issued */
    public String text() {
        return text;
    }

    /**
     * @return the rule as it stands: the issued text, each bound slot replaced by the address
     *         ({@code auto} from an IPv4 client) or block ({@code auto/N}, or any IPv6 binding) it
     *         bound; free slots and fixed entries as issued. It parses as a rule that allows what
     *         this one allows now.
     */
    public String shown() {
        if (boundCount() == 0) {
            return text;
        }
        String[] parts = text.split("\\|", -1);
        StringBuilder out = new StringBuilder(text.length() + 16 * parts.length);
        for (int i = 0; i < parts.length; i++) {
            if (i > 0) {
                out.append('|');
            }
            if (entries[i] instanceof Auto auto && auto.bound() != null) {
                IpNetwork n = auto.bound();
                boolean host = n.isV4() ? n.prefix() == 32 : n.isV6() && n.prefix() == 128;
                String s = n.toString();
                out.append(host ? s.substring(0, s.lastIndexOf('/')) : s);
            } else {
                out.append(parts[i]);
            }
        }
        return out.toString();
    }

    public List<Entry> entries() {
        return List.of(entries);
    }

    /** @return per entry, the network its slot bound, or null (free slot or fixed entry) */
    public List<IpNetwork> bindings() {
        List<IpNetwork> out = new ArrayList<>(entries.length);
        for (Entry e : entries) {
            out.add(e instanceof Auto auto ? auto.bound() : null);
        }
        return out;
    }

    /** @return how many slots are bound */
    public int boundCount() {
        int n = 0;
        for (Entry e : entries) {
            if (e instanceof Auto auto && auto.bound() != null) {
                n++;
            }
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IpRestriction other && text.equals(other.text) && Arrays.equals(entries, other.entries);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    /** @return {@link #shown()}: what a page or a log shows is the rule as it stands */
    @Override
    public String toString() {
        return shown();
    }
}
