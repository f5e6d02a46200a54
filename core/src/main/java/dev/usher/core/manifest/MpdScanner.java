package dev.usher.core.manifest;

import dev.usher.core.manifest.DashManifestRewriter.Budget;
import dev.usher.core.manifest.DashManifestRewriter.Comment;
import dev.usher.core.manifest.DashManifestRewriter.Document;
import dev.usher.core.manifest.DashManifestRewriter.Element;
import dev.usher.core.manifest.DashManifestRewriter.Text;

import javax.xml.XMLConstants;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Reads the common MPD into the rewriter's tree without StAX, which spent half of a 1,000-entry
 * SegmentList rewrite (issue 17, item 5). It is strict rather than complete: it accepts only a
 * subset of well-formed XML in which every value is its bytes as written, and builds for it exactly
 * the tree the StAX path builds; on anything else it returns null and the rewriter hands the MPD to
 * StAX, which accepts or refuses it as before. So no document is accepted that StAX would refuse,
 * and none is read differently ({@code MpdScannerTest} runs both over every MPD of the tests and
 * over thousands of mutations of them).
 *
 * <p>The subset: ASCII only (no byte of 0x80 or more, no control character but tab and line feed:
 * so no encoding question, no UTF-8 to validate and no line-end normalization); an optional XML
 * declaration of version 1.0, encoding UTF-8 and standalone; elements with attributes in either
 * quote, whose values hold no {@code &}, {@code <}, tab or line feed (nothing to unescape or
 * normalize); namespace declarations of a non-empty URI that is neither of the reserved ones, for a
 * prefix other than {@code xml} and {@code xmlns}; text without {@code &} or {@code ]]>}; and
 * comments. Every prefix must be bound and no attribute may appear twice (by name or by namespace
 * and local name). Left to StAX: entity and character references, CDATA sections, processing
 * instructions, a DOCTYPE (which StAX refuses), other encodings, a byte order mark, XML 1.1, and
 * documents over the element or depth limits (StAX refuses them with its usual message). Names are
 * ASCII NCNames, at most one {@code :} each.
 *
 * <p>No recursion: open elements are on explicit stacks; the time budget is checked per token.
 */
final class MpdScanner {

    /** Not in the subset: the StAX path decides. Thrown without a stack trace, caught in {@link #scan}. */
    private static final class Unsupported extends RuntimeException {
        Unsupported() {
            super(null, null, false, false);
        }
    }

    private static final Unsupported UNSUPPORTED = new Unsupported();

    /** Bit 1: may start a name; bit 2: may continue one (ASCII NCName characters). */
    private static final byte[] NAME = new byte[128];

    static {
        for (int c = 'a'; c <= 'z'; c++) {
            NAME[c] = 3;
            NAME[c - 'a' + 'A'] = 3;
        }
        NAME['_'] = 3;
        for (int c = '0'; c <= '9'; c++) {
            NAME[c] = 2;
        }
        NAME['-'] = 2;
        NAME['.'] = 2;
    }

    private final byte[] in;
    private final int n;
    private final ManifestLimits limits;
    private final Budget budget;
    private int pos;

    /** In-scope namespace bindings, innermost last: prefix ("" for the default) and URI. */
    private String[] bindings = new String[16];
    private int bound;

    /** Names seen, so each distinct name is one String (and compares fast in the marker). */
    private final String[] names = new String[256];

    /** The last whitespace text, shared by the many identical ones between the entries of a list. */
    private String lastSpace = "";

    private MpdScanner(byte[] in, ManifestLimits limits, Budget budget) {
        this.in = in;
        this.n = in.length;
        this.limits = limits;
        this.budget = budget;
    }

    /**
     * @return the tree the StAX path would build for {@code in}, or null when {@code in} is not in
     *         the subset (or is over the element or depth limits): then StAX must decide
     * @throws ManifestException only when the time budget runs out
     */
    static Document scan(byte[] in, ManifestLimits limits, Budget budget) {
        try {
            return new MpdScanner(in, limits, budget).document();
        } catch (Unsupported | ArrayIndexOutOfBoundsException e) {
            return null; // an index past the end is a truncated document: StAX says what is wrong
        }
    }

    private Document document() {
        Document document = new Document();
        bindings[0] = XMLConstants.XML_NS_PREFIX;
        bindings[1] = XMLConstants.XML_NS_URI;
        bindings[2] = "";
        bindings[3] = "";
        bound = 2;
        if (startsWith("<?xml") && pos + 5 < n && isSpace(in[pos + 5])) {
            declaration();
            document.declared = true;
        }
        document.version = "1.0";
        misc(document.prolog);
        if (pos >= n) {
            throw UNSUPPORTED; // no root element
        }
        document.root = content();
        misc(document.epilog);
        if (pos != n) {
            throw UNSUPPORTED; // a second root, or text after the root
        }
        return document;
    }

    /** {@code <?xml version="1.0" encoding="UTF-8" standalone="yes"?>}, the last two optional. */
    private void declaration() {
        pos += 5;
        skipSpace();
        if (!pseudoAttribute("version").equals("1.0")) {
            throw UNSUPPORTED;
        }
        boolean space = skipSpace();
        if (space && startsWith("encoding")) {
            if (!pseudoAttribute("encoding").equalsIgnoreCase("UTF-8")) {
                throw UNSUPPORTED;
            }
            space = skipSpace();
        }
        if (space && startsWith("standalone")) {
            String standalone = pseudoAttribute("standalone");
            if (!standalone.equals("yes") && !standalone.equals("no")) {
                throw UNSUPPORTED;
            }
            skipSpace();
        }
        expect('?');
        expect('>');
    }

    private String pseudoAttribute(String name) {
        if (!startsWith(name)) {
            throw UNSUPPORTED;
        }
        pos += name.length();
        skipSpace();
        expect('=');
        skipSpace();
        byte quote = in[pos++];
        if (quote != '"' && quote != '\'') {
            throw UNSUPPORTED;
        }
        int start = pos;
        while (in[pos] != quote) {
            if (NAME[in[pos] & 0x7f] == 0 || in[pos] < 0) {
                throw UNSUPPORTED;
            }
            pos++;
        }
        return latin1(start, pos++);
    }

    /** White space and comments outside the root element. */
    private void misc(List<Object> nodes) {
        while (true) {
            skipSpace();
            if (startsWith("<!--")) {
                nodes.add(comment());
            } else {
                return;
            }
        }
    }

    /** The root element and everything in it, with explicit stacks. */
    private Element content() {
        Element[] open = new Element[8];
        int[] openName = new int[16]; // start and end of each open element's name in the input
        int[] openBound = new int[8]; // the bindings in scope outside each open element
        int depth = 0;
        int elements = 0;
        Element root = null;
        do {
            budget.step();
            if (in[pos] == '<') {
                byte next = in[pos + 1];
                if (next == '/') {
                    int start = pos + 2;
                    int length = openName[2 * depth - 1] - openName[2 * depth - 2];
                    if (!Arrays.equals(in, start, start + length, in, openName[2 * depth - 2], openName[2 * depth - 1])) {
                        throw UNSUPPORTED;
                    }
                    pos = start + length;
                    skipSpace();
                    expect('>');
                    depth--;
                    bound = openBound[depth];
                    open[depth] = null;
                } else if (next == '!') {
                    if (!startsWith("<!--")) {
                        throw UNSUPPORTED; // CDATA, DOCTYPE
                    }
                    open[depth - 1].add(comment());
                } else {
                    if (++elements > limits.maxElements() || depth >= limits.maxDepth()) {
                        throw UNSUPPORTED; // StAX refuses it, with the message of the limit
                    }
                    int outer = bound;
                    int nameStart = pos + 1;
                    Element element = startTag();
                    boolean empty = in[pos - 2] == '/';
                    if (depth == 0) {
                        root = element;
                    } else {
                        open[depth - 1].add(element);
                    }
                    if (empty) {
                        bound = outer;
                    } else {
                        if (depth == open.length) {
                            open = Arrays.copyOf(open, 2 * depth);
                            openBound = Arrays.copyOf(openBound, 2 * depth);
                            openName = Arrays.copyOf(openName, 4 * depth);
                        }
                        open[depth] = element;
                        openBound[depth] = outer;
                        openName[2 * depth] = nameStart;
                        openName[2 * depth + 1] = nameEnd;
                        depth++;
                    }
                }
            } else if (depth == 0) {
                throw UNSUPPORTED;
            } else {
                open[depth - 1].add(text());
            }
        } while (depth > 0);
        return root;
    }

    /** Where a start tag's attributes and namespace declarations are collected, reused from tag to tag. */
    private String[] attributeScratch = new String[32];
    private String[] namespaceScratch = new String[8];

    /** The end of the last name read by {@link #qname}. */
    private int nameEnd;
    /** The prefix of the last name read by {@link #qname} ("" when none). */
    private String qnamePrefix;

    /** Reads a start tag from its {@code <} to after its {@code >} or {@code />}; pushes its namespace declarations. */
    private Element startTag() {
        pos++;
        String local = qname();
        String prefix = qnamePrefix;
        int nameEnd = this.nameEnd;
        String[] attributes = attributeScratch;
        int attributeCount = 0;
        String[] namespaces = namespaceScratch;
        int namespaceCount = 0;
        while (true) {
            boolean space = skipSpace();
            byte c = in[pos];
            if (c == '>') {
                pos++;
                break;
            }
            if (c == '/') {
                pos++;
                expect('>');
                break;
            }
            if (!space) {
                throw UNSUPPORTED; // attributes must be separated by white space
            }
            String attributeLocal = qname();
            String attributePrefix = qnamePrefix;
            skipSpace();
            expect('=');
            skipSpace();
            String value = value();
            if (attributePrefix.equals(XMLConstants.XMLNS_ATTRIBUTE)
                    || (attributePrefix.isEmpty() && attributeLocal.equals(XMLConstants.XMLNS_ATTRIBUTE))) {
                String declared = attributePrefix.isEmpty() ? "" : attributeLocal;
                if (value.isEmpty() || declared.equals(XMLConstants.XML_NS_PREFIX) || declared.equals(XMLConstants.XMLNS_ATTRIBUTE)
                        || value.equals(XMLConstants.XML_NS_URI) || value.equals(XMLConstants.XMLNS_ATTRIBUTE_NS_URI)) {
                    throw UNSUPPORTED;
                }
                for (int i = 0; i < namespaceCount; i++) {
                    if (namespaces[2 * i].equals(declared)) {
                        throw UNSUPPORTED; // declared twice
                    }
                }
                if (2 * namespaceCount == namespaces.length) {
                    namespaces = namespaceScratch = Arrays.copyOf(namespaces, 2 * namespaces.length);
                }
                namespaces[2 * namespaceCount] = declared;
                namespaces[2 * namespaceCount + 1] = value;
                namespaceCount++;
            } else {
                if (4 * attributeCount == attributes.length) {
                    attributes = attributeScratch = Arrays.copyOf(attributes, 2 * attributes.length);
                }
                attributes[4 * attributeCount] = attributePrefix;
                attributes[4 * attributeCount + 2] = attributeLocal;
                attributes[4 * attributeCount + 3] = value;
                attributeCount++;
            }
        }
        this.nameEnd = nameEnd;
        for (int i = 0; i < namespaceCount; i++) {
            bind(namespaces[2 * i], namespaces[2 * i + 1]);
        }
        if (prefix.equals(XMLConstants.XML_NS_PREFIX) || prefix.equals(XMLConstants.XMLNS_ATTRIBUTE)) {
            throw UNSUPPORTED;
        }
        String ns = lookup(prefix);
        for (int i = 0; i < attributeCount; i++) {
            String p = attributes[4 * i];
            String attributeNs = p.isEmpty() ? "" : lookup(p);
            attributes[4 * i + 1] = attributeNs;
            for (int j = 0; j < i; j++) {
                if (attributes[4 * j + 2].equals(attributes[4 * i + 2])
                        && (attributes[4 * j].equals(p) || attributes[4 * j + 1].equals(attributeNs))) {
                    throw UNSUPPORTED; // the same attribute twice: StAX refuses it
                }
            }
        }
        return new Element(prefix, local, ns, namespaceCount == 0 ? DashManifestRewriter.NO_STRINGS
                : Arrays.copyOf(namespaces, 2 * namespaceCount),
                attributeCount == 0 ? DashManifestRewriter.NO_STRINGS : Arrays.copyOf(attributes, 4 * attributeCount));
    }

    private void bind(String prefix, String uri) {
        if (2 * bound == bindings.length) {
            bindings = Arrays.copyOf(bindings, 2 * bindings.length);
        }
        bindings[2 * bound] = prefix;
        bindings[2 * bound + 1] = uri;
        bound++;
    }

    /** @return the URI bound to {@code prefix} ("" for the default namespace when none is declared) */
    private String lookup(String prefix) {
        for (int i = bound - 1; i >= 0; i--) {
            if (bindings[2 * i].equals(prefix)) {
                return bindings[2 * i + 1];
            }
        }
        throw UNSUPPORTED; // an unbound prefix: StAX refuses it
    }

    /** Reads {@code name} or {@code prefix:name}; @return the local name, the prefix in {@link #qnamePrefix}. */
    private String qname() {
        int start = pos;
        int colon = -1;
        if ((NAME[in[start] & 0x7f] & 1) == 0 || in[start] < 0) {
            throw UNSUPPORTED;
        }
        pos++;
        while (true) {
            byte c = in[pos];
            if (c == ':' && colon < 0) {
                colon = pos;
                pos++;
                if ((NAME[in[pos] & 0x7f] & 1) == 0 || in[pos] < 0) {
                    throw UNSUPPORTED;
                }
            } else if (c >= 0 && (NAME[c] & 2) != 0) {
                pos++;
            } else {
                break;
            }
        }
        nameEnd = pos;
        if (colon < 0) {
            qnamePrefix = "";
            return name(start, pos);
        }
        qnamePrefix = name(start, colon);
        return name(colon + 1, pos);
    }

    /** @return the String for the name {@code in[from, to)}, the same one each time it is seen */
    private String name(int from, int to) {
        int hash = 0;
        for (int i = from; i < to; i++) {
            hash = 31 * hash + in[i];
        }
        int slot = (hash ^ hash >>> 8) & (names.length - 1);
        String known = names[slot];
        if (known != null && known.length() == to - from) {
            boolean same = true;
            for (int i = 0; i < known.length() && same; i++) {
                same = known.charAt(i) == in[from + i];
            }
            if (same) {
                return known;
            }
        }
        String name = latin1(from, to);
        names[slot] = name;
        return name;
    }

    /** An attribute value in either quote: its bytes as written, or unsupported when StAX would change them. */
    private String value() {
        byte quote = in[pos++];
        if (quote != '"' && quote != '\'') {
            throw UNSUPPORTED;
        }
        int start = pos;
        while (true) {
            byte c = in[pos];
            if (c == quote) {
                break;
            }
            if (c < 0x20 || c == '&' || c == '<') {
                throw UNSUPPORTED; // a control or non-ASCII byte, tab and line feed (normalized), references
            }
            pos++;
        }
        return latin1(start, pos++);
    }

    /** Character data up to the next {@code <}. */
    private Text text() {
        int start = pos;
        boolean space = true;
        while (true) {
            byte c = in[pos];
            if (c == '<') {
                break;
            }
            if (c < 0x20 ? c != '\t' && c != '\n' : c == '&') {
                throw UNSUPPORTED; // control, CR (normalized), non-ASCII, references
            }
            if (c == '>' && pos - start >= 2 && in[pos - 1] == ']' && in[pos - 2] == ']') {
                throw UNSUPPORTED; // "]]>" is not allowed in text
            }
            space &= c == ' ' || c == '\t' || c == '\n';
            pos++;
        }
        if (space && lastSpace.length() == pos - start) {
            boolean same = true;
            for (int i = 0; i < lastSpace.length() && same; i++) {
                same = lastSpace.charAt(i) == in[start + i];
            }
            if (same) {
                return new Text(lastSpace);
            }
        }
        String value = latin1(start, pos);
        if (space) {
            lastSpace = value;
        }
        return new Text(value);
    }

    /** {@code <!-- … -->}, without {@code --} inside. */
    private Comment comment() {
        pos += 4;
        int start = pos;
        while (true) {
            byte c = in[pos];
            if (c == '-' && in[pos + 1] == '-') {
                if (in[pos + 2] != '>') {
                    throw UNSUPPORTED;
                }
                break;
            }
            if (c < 0x20 && c != '\t' && c != '\n') {
                throw UNSUPPORTED;
            }
            pos++;
        }
        Comment comment = new Comment(latin1(start, pos));
        pos += 3;
        return comment;
    }

    /** Skips XML white space (space, tab, line feed: CR is not in the subset); @return true when there was some. */
    private boolean skipSpace() {
        int start = pos;
        while (pos < n && isSpace(in[pos])) {
            pos++;
        }
        return pos > start;
    }

    private static boolean isSpace(byte c) {
        return c == ' ' || c == '\t' || c == '\n';
    }

    private void expect(char c) {
        if (in[pos++] != c) {
            throw UNSUPPORTED;
        }
    }

    private boolean startsWith(String s) {
        if (n - pos < s.length()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (in[pos + i] != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private String latin1(int from, int to) {
        return new String(in, from, to - from, StandardCharsets.ISO_8859_1);
    }
}
