package dev.usher.core.repository.jdbc;

import dev.usher.core.attempt.Attempt;
import dev.usher.core.decision.Playback;
import dev.usher.core.decision.Reason;
import dev.usher.core.net.IpNetwork;
import dev.usher.core.rule.IpRestriction;
import dev.usher.core.rule.PatternList;
import dev.usher.core.rule.WildcardPattern;
import dev.usher.core.ticket.Ticket;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The rows of the JDBC repository's tables and the records they hold: which columns a ticket,
 * playback and attempt take, how a record is written into a statement's parameters, and how a
 * result row is read back into the record. Texts from clients are cut to the columns' sizes rather
 * than fail a decision; a row that does not read back (a malformed field) is an {@link SQLException}
 * of SQLState 22000.
 */
final class JdbcRows {

    /** Column sizes of the schema. */
    static final int KEY_MAX = 100;
    private static final int LONG_TEXT = 2048;
    private static final int NAME_TEXT = 255;
    private static final int IP_TEXT = 64;

    /** The columns of {@code usher_tickets} a ticket is written to, in the order {@link #bindTicket} sets them. */
    static final String TICKET_COLUMNS = "ticket_key, cdn_id, pass, ip, ip_bindings, video, app, uses, active, created,"
            + " expires, used_date, last_used, concurrent";
    /** How many {@link #TICKET_COLUMNS} there are: the parameters {@link #bindTicket} sets. */
    static final int TICKET_COLUMN_COUNT = 14;
    /** What a ticket row is read with ({@link #ticketOf}): the columns written, then the id the database gave it. */
    static final String TICKET_SELECT = TICKET_COLUMNS + ", id";
    /**
     * How many columns {@link #TICKET_SELECT} reads: a statement that selects more after them finds
     * its first one at {@code TICKET_SELECT_WIDTH + 1}.
     */
    static final int TICKET_SELECT_WIDTH = TICKET_COLUMN_COUNT + 1;
    /** {@link #TICKET_SELECT} of the table named {@code t}, for a join. */
    static final String TICKET_SELECT_T = "t." + TICKET_SELECT.replace(", ", ", t.");
    /** What a playback row is read with ({@link #playbackOf}): its id first. */
    static final String PLAYBACK_SELECT = "id, video, client, started, last_seen";
    /** The columns of {@code usher_playbacks} a playback is written to ({@link #bindPlayback}). */
    static final String PLAYBACK_COLUMNS = "ticket_key, video, client, started, last_seen";
    /** What an attempt row is read with ({@link #attemptOf}). */
    static final String ATTEMPT_SELECT = "ticket_key, attempted_at, ip, video, app, appinst, pageurl, refurl, reason, server,"
            + " attempt_count, failed_status, pass_fingerprint";
    /** The columns of {@code usher_attempts} an attempt is written to ({@link #bindAttempt}). */
    static final String ATTEMPT_COLUMNS = "ticket_key, attempted_at, ip, video, app, appinst, pageurl, refurl, reason,"
            + " server, pass_fingerprint";

    private JdbcRows() {
    }

    /**
     * The names a search by video finds a ticket by through {@code usher_ticket_videos}, as
     * {@link #videoHash}es: each entry and the whole text, when every entry is a literal name; none
     * for a ticket with a {@code *} pattern, which a search matches in Java.
     */
    static Set<String> videoHashes(PatternList video) {
        Set<String> out = new LinkedHashSet<>();
        for (WildcardPattern p : video.patterns()) {
            if (!p.isLiteral()) {
                return Set.of();
            }
            out.add(videoHash(p.text()));
        }
        out.add(videoHash(video.text()));
        return out;
    }

    /** @return the SHA-256 of the name's UTF-8, in lower-case hex: the key of {@code usher_ticket_videos} */
    static String videoHash(String name) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing", e); // every Java has it
        }
    }

    /**
     * Sets the parameters 1 to {@value #TICKET_COLUMN_COUNT} to the ticket's {@link #TICKET_COLUMNS}.
     *
     * @return the next parameter
     */
    static int bindTicket(PreparedStatement ps, Ticket ticket) throws SQLException {
        ps.setString(1, ticket.key());
        ps.setLong(2, ticket.cdnId());
        ps.setString(3, ticket.pass());
        ps.setString(4, ticket.ip().text());
        ps.setString(5, bindingsText(ticket.ip()));
        ps.setString(6, ticket.video().text());
        ps.setString(7, ticket.app().text());
        ps.setInt(8, ticket.uses());
        ps.setBoolean(9, ticket.active());
        setInstant(ps, 10, ticket.created());
        setInstant(ps, 11, ticket.expires());
        setInstant(ps, 12, ticket.usedDate());
        setInstant(ps, 13, ticket.lastUsed());
        ps.setInt(14, ticket.concurrent());
        return TICKET_COLUMN_COUNT + 1;
    }

    /** @return the ticket of a row read with {@link #TICKET_SELECT} */
    static Ticket ticketOf(ResultSet rs) throws SQLException {
        String key = rs.getString(1);
        try {
            String ipText = rs.getString(4);
            String bindings = rs.getString(5);
            return new Ticket(key, rs.getLong(2), rs.getString(3), ParsedRules.ip(ipText, bindings == null ? "" : bindings),
                    ParsedRules.video(rs.getString(6)), ParsedRules.app(rs.getString(7)),
                    rs.getInt(8), rs.getBoolean(9), instant(rs, 10), instant(rs, 11), instant(rs, 12), rs.getLong(15),
                    instant(rs, 13), rs.getInt(14));
        } catch (IllegalArgumentException e) {
            throw new SQLException("ticket " + key + " holds a malformed field: " + e.getMessage(), "22000", e);
        }
    }

    /** Sets the 5 parameters from {@code first} on to the playback's {@link #PLAYBACK_COLUMNS}. @return the next parameter */
    static int bindPlayback(PreparedStatement ps, int first, String key, Playback p) throws SQLException {
        ps.setString(first, key);
        ps.setString(first + 1, cut(p.scope(), LONG_TEXT)); // the video column holds the playback's scope
        ps.setString(first + 2, networkText(p.client()));
        setInstant(ps, first + 3, p.started());
        setInstant(ps, first + 4, p.lastSeen());
        return first + 5;
    }

    /** @return the playback of a row read with {@link #PLAYBACK_SELECT} from column {@code first} on (its id) */
    static Playback playbackOf(ResultSet rs, int first, String key) throws SQLException {
        try {
            return new Playback(rs.getString(first + 1), IpNetwork.parse(rs.getString(first + 2)), instant(rs, first + 3),
                    instant(rs, first + 4));
        } catch (IllegalArgumentException e) {
            throw new SQLException("a playback of ticket " + key + " holds a malformed client network", "22000", e);
        }
    }

    /** Sets the 11 parameters from {@code first} on to the attempt's {@link #ATTEMPT_COLUMNS}. @return the next parameter */
    static int bindAttempt(PreparedStatement ps, int first, Attempt a) throws SQLException {
        int b = first - 1;
        ps.setString(b + 1, a.key());
        setInstant(ps, b + 2, a.datetime());
        ps.setString(b + 3, ipText(a.ip()));
        ps.setString(b + 4, cut(a.video(), LONG_TEXT));
        ps.setString(b + 5, cut(a.app(), NAME_TEXT));
        ps.setString(b + 6, cut(a.appinst(), NAME_TEXT));
        ps.setString(b + 7, cut(a.pageurl(), LONG_TEXT));
        ps.setString(b + 8, cut(a.refurl(), LONG_TEXT));
        ps.setString(b + 9, a.reason().text());
        ps.setString(b + 10, cut(a.server(), NAME_TEXT));
        ps.setString(b + 11, a.passFingerprint());
        return first + 11;
    }

    /**
     * @return per column of {@link #ATTEMPT_COLUMNS} the text {@link #bindAttempt} binds (the instant
     *         as its UTC ISO text), for arrays that insert many attempts in one statement
     */
    static String[] attemptTexts(Attempt a) {
        return new String[] {a.key(), a.datetime().truncatedTo(ChronoUnit.MICROS).toString(), ipText(a.ip()),
            cut(a.video(), LONG_TEXT), cut(a.app(), NAME_TEXT), cut(a.appinst(), NAME_TEXT), cut(a.pageurl(), LONG_TEXT),
            cut(a.refurl(), LONG_TEXT), a.reason().text(), cut(a.server(), NAME_TEXT), a.passFingerprint()};
    }

    /** @return the attempt of a row read with {@link #ATTEMPT_SELECT} */
    static Attempt attemptOf(ResultSet rs) throws SQLException {
        return new Attempt(rs.getString(1), instant(rs, 2), rs.getString(3), rs.getString(4),
                rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8),
                Reason.ofText(rs.getString(9)), rs.getString(10), Math.max(1, rs.getInt(11)),
                rs.getInt(12), rs.getString(13));
    }

    /** @return an attempt's client address as its column holds it */
    static String ipText(String ip) {
        return cut(ip, IP_TEXT);
    }

    /** @return per entry of the ip rule its bound network or nothing, joined by |; empty while none is bound */
    static String bindingsText(IpRestriction ip) {
        if (ip.boundCount() == 0) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        List<IpNetwork> bound = ip.bindings();
        for (int i = 0; i < bound.size(); i++) {
            if (i > 0) {
                out.append('|');
            }
            if (bound.get(i) != null) {
                out.append(networkText(bound.get(i)));
            }
        }
        return out.toString();
    }

    static IpRestriction restoreIp(String text, String bindings) {
        if (bindings == null || bindings.isEmpty()) {
            return IpRestriction.parse(text);
        }
        String[] parts = bindings.split("\\|", -1);
        List<IpNetwork> bound = new ArrayList<>(parts.length);
        for (String part : parts) {
            bound.add(part.isEmpty() ? null : IpNetwork.parse(part));
        }
        return IpRestriction.restore(text, bound);
    }

    /** The text of a network that {@link IpNetwork#parse} reads back as the same network. */
    static String networkText(IpNetwork n) {
        String text = n.toString();
        if (!IpNetwork.parse(text).equals(n)) {
            throw new IllegalStateException("network " + text + " does not read back as itself");
        }
        return text;
    }

    private static String cut(String s, int max) {
        return s == null ? "" : s.length() <= max ? s : s.substring(0, max);
    }

    static void setInstant(PreparedStatement ps, int index, Instant value) throws SQLException {
        if (value == null) {
            ps.setObject(index, null, Types.TIMESTAMP_WITH_TIMEZONE);
        } else if (POSTGRES_DRIVER.get(ps.getClass())) {
            // The instant's ISO text (UTC, at most microseconds), typed by the server as the column's
            // timestamptz: the driver's own OffsetDateTime binding goes through Calendar and cost a
            // fifth of a decision's client time. The text names its offset, so no session time zone applies.
            ps.setObject(index, value.truncatedTo(ChronoUnit.MICROS).toString(), Types.OTHER);
        } else {
            ps.setObject(index, OffsetDateTime.ofInstant(value, ZoneOffset.UTC));
        }
    }

    /**
     * Whether a statement (or result set) class is PostgreSQL's driver's: it takes untyped text for
     * a timestamptz, and gives a binary value's bytes as received.
     */
    private static final ClassValue<Boolean> POSTGRES_DRIVER = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
            return type.getName().startsWith("org.postgresql.");
        }
    };

    static Instant instant(ResultSet rs, int index) throws SQLException {
        if (POSTGRES_DRIVER.get(rs.getClass())) {
            // PostgreSQL's driver hands a value it received in binary (statements it prepared on the
            // server) over as its 8 bytes: microseconds since 2000-01-01 UTC. Read here, that skips
            // the driver's per-result-set time utilities and their calendars. Text (a statement's
            // first runs) is never 8 bytes long but for "infinity"; that, the infinities and a
            // binary value spelling "infinity" go the driver's way, which knows the format.
            byte[] raw = rs.getBytes(index);
            if (raw == null) {
                return null;
            }
            if (raw.length == 8 && !Arrays.equals(raw, INFINITY_TEXT)) {
                long micros = 0;
                for (byte b : raw) {
                    micros = micros << 8 | (b & 0xFF);
                }
                if (micros != Long.MAX_VALUE && micros != Long.MIN_VALUE) {
                    return POSTGRES_EPOCH.plus(micros, ChronoUnit.MICROS);
                }
            }
        }
        OffsetDateTime t = rs.getObject(index, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    private static final byte[] INFINITY_TEXT = "infinity".getBytes(StandardCharsets.US_ASCII);

    /** The origin of PostgreSQL's binary timestamps. */
    private static final Instant POSTGRES_EPOCH = Instant.parse("2000-01-01T00:00:00Z");
}
