package dev.usher.core.manifest;

import javax.xml.XMLConstants;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import java.io.ByteArrayInputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Rewrites a DASH MPD so that every media URL a player derives from it carries the child query.
 *
 * <h2>What is rewritten</h2>
 * In the MPD namespace ({@code urn:mpeg:dash:schema:mpd:2011}, or no namespace):
 * {@code SegmentTemplate} {@code @media}, {@code @initialization}, {@code @index},
 * {@code @bitstreamSwitching}; {@code SegmentURL} {@code @media}, {@code @index};
 * {@code @sourceURL} of {@code Initialization}, {@code RepresentationIndex} and
 * {@code BitstreamSwitching}; the text of {@code BaseURL} (under the rule below) and of
 * {@code Location} (where a live MPD is reloaded from). Template identifiers such as
 * {@code $RepresentationID$} and {@code $Number%03d$} are kept as written: nothing is
 * percent-encoded; the query is appended after the template ({@code chunk-$Number%03d$.m4s?uc=…}),
 * where players substitute identifiers and leave the query alone.
 *
 * <h2>BaseURL: why the credential goes on the segment URLs</h2>
 * Players resolve every segment URL against the chain of {@code BaseURL}s (MPD, Period,
 * AdaptationSet, Representation) with RFC 3986 resolution, which drops the base's query whenever the
 * reference has a path. A credential on a {@code BaseURL} therefore never reaches
 * {@code seg-1.m4s}: it must be on the template or segment URL itself, and it is. A {@code BaseURL}
 * gets the credential itself only when it can be a file URL, which we take to be when its path does
 * not end in {@code /}: that covers the single-file cases (on-demand profile with {@code SegmentBase}
 * and {@code indexRange}, or a Representation with a {@code BaseURL} and no segment information at
 * all, or a {@code SegmentURL} without {@code @media}), where the player requests the {@code BaseURL}
 * as is. On a directory {@code BaseURL} ({@code video/}, {@code https://host/v/}) a query would be
 * useless, so it is left as it was.
 *
 * <h2>The origin rule across BaseURLs</h2>
 * A relative template resolves against the BaseURLs above it, and those may point to another host (a
 * CDN): then the segments are not ours and must not receive the credential. The rewriter therefore
 * reads the whole MPD into a small tree first, computes for each level the origins its base URL can
 * have (several {@code BaseURL} siblings are alternatives; all are considered), and gives a segment
 * reference the credential only when, against every base a player may use for it, it resolves to
 * the MPD's own origin. A template at AdaptationSet or Period level is used by the Representations
 * below it, each with its own BaseURLs, so all of their bases count. Mixed bases (one ours, one a
 * CDN) therefore leave the references without the credential: playback then falls to the other
 * base, and the credential never leaks. {@code xlink:href} remote elements are not followed.
 *
 * <h2>Parsing and output</h2>
 * StAX from the JDK with DTD support and external entities off; a DOCTYPE is refused outright, so no
 * entity expansion or external fetch can happen. The common MPD (ASCII, no entity or character
 * references, no CDATA, DOCTYPE or processing instruction: what packagers write) is read by a strict
 * scanner of its own instead ({@link MpdScanner}), several times faster than StAX, which builds the
 * same tree; anything it is not sure of, it leaves to StAX, which then accepts or refuses as it always did. The output is serialized again as UTF-8 with an
 * XML declaration when the input had one (an MPD in which nothing needs the credential is returned
 * byte for byte as it came); elements, attributes (in order), namespace declarations,
 * comments, processing instructions and text are kept, with the standard escaping ({@code &} as
 * {@code &amp;}, which players require in an MPD), by a serializer of its own ({@link XmlBytes})
 * that writes what the JDK's StAX writer wrote, several times faster. Formatting inside tags (quote style, attribute
 * spacing) and CDATA sections (written as escaped text) are not preserved byte for byte.
 *
 * <h2>Bounded work</h2>
 * Every step is a loop over an explicit stack (nothing recurses, so no nesting can overflow the
 * thread's stack), and {@link ManifestLimits} bounds the input, the number of elements, the
 * nesting depth, the time spent (checked as it parses, marks and writes) and the output: the MPD is
 * serialized into a buffer that refuses to grow past {@link ManifestLimits#maxOutputBytes()}, so
 * the exact length is known, and checked, before a byte is sent.
 */
public final class DashManifestRewriter extends BoundedManifestRewriter {

    /** An instance with the default limits. */
    public static final DashManifestRewriter DEFAULT = new DashManifestRewriter();

    static final String MPD_NS = "urn:mpeg:dash:schema:mpd:2011";
    private static final Set<String> LEVELS = Set.of("MPD", "Period", "AdaptationSet", "Representation");
    private static final Set<String> SEGMENT_INFO = Set.of("SegmentTemplate", "SegmentList", "SegmentBase");

    public DashManifestRewriter() {
        this(ManifestLimits.DEFAULT);
    }

    /** @param maxBytes the largest MPD accepted, and the largest rewritten MPD produced */
    public DashManifestRewriter(int maxBytes) {
        this(ManifestLimits.ofBytes(maxBytes));
    }

    public DashManifestRewriter(ManifestLimits limits) {
        super(limits);
    }

    @Override
    Rewritten prepareWithin(byte[] manifest, URI manifestUrl, ChildQuery query) {
        ManifestLimits limits = limits();
        Budget budget = new Budget(limits);
        Document document = MpdScanner.scan(manifest, limits, budget);
        if (document == null) {
            document = parse(manifest, limits, budget); // not the common case: StAX decides, and refuses
        }
        return rewrite(document, manifest, manifestUrl, query, limits, budget);
    }

    /** Marks and writes a parsed MPD (by either parser: the differential test runs both through here). */
    static Rewritten rewrite(Document document, byte[] manifest, URI manifestUrl, ChildQuery query, ManifestLimits limits,
                             Budget budget) {
        if (document.root == null || !isMpd(document.root, "MPD")) {
            throw new ManifestException("not a DASH MPD: the root element is not MPD");
        }
        String self = ChildUris.originOf(manifestUrl);
        Marker marker = new Marker(self, query, budget);
        marker.mark(document.root);
        if (!marker.changed) {
            return Rewritten.of(manifest);
        }
        return write(document, manifest.length + (long) marker.added, limits, budget, marker.suffix);
    }

    /**
     * The time bound of one rewrite, checked every few hundred steps. It counts the thread's CPU
     * time where the JVM measures it (so a loaded machine does not refuse a fair MPD), wall time
     * otherwise. Reading the thread's CPU clock is a system call (about 1 µs, some 30 per
     * 1,000-entry SegmentList); the wall clock costs 30 ns, and a thread never uses more CPU time
     * than has passed, so the CPU clock is read only once the wall time alone is over the bound.
     */
    static final class Budget {
        private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
        private static final boolean CPU = THREADS.isCurrentThreadCpuTimeSupported() && THREADS.isThreadCpuTimeEnabled();

        private final long maxNanos;
        private final long startWall;
        private final long startCpu;
        private int steps;

        Budget(ManifestLimits limits) {
            this.maxNanos = limits.maxTime().toNanos();
            this.startWall = System.nanoTime();
            this.startCpu = CPU ? THREADS.getCurrentThreadCpuTime() : 0;
        }

        void step() {
            if ((++steps & 0xff) == 0 && System.nanoTime() - startWall > maxNanos
                    && (!CPU || THREADS.getCurrentThreadCpuTime() - startCpu > maxNanos)) {
                throw new ManifestException("MPD rewrite took longer than " + maxNanos / 1_000_000 + " ms");
            }
        }
    }

    // --- the tree -------------------------------------------------------------------------------

    static final class Document {
        final List<Object> prolog = new ArrayList<>();
        final List<Object> epilog = new ArrayList<>();
        Element root;
        String version;
        boolean declared;
    }

    static final class Element {
        final String prefix;
        final String local;
        final String ns;
        final String[] namespaces; // prefix, uri pairs
        final String[] attributes; // prefix, ns, local, value quadruples
        /**
         * Bit {@code k}: attribute {@code k} gets {@code ?name=value} written after its value (a
         * value without {@code ?} or {@code #}, the usual case: no rewritten String per segment).
         * Attributes past the 64th are rewritten in place instead.
         */
        long appended;
        /** Shared and empty until the first child: most elements of a SegmentList have none. */
        List<Object> children = NONE;

        Element(String prefix, String local, String ns, String[] namespaces, String[] attributes) {
            this.prefix = prefix;
            this.local = local;
            this.ns = ns;
            this.namespaces = namespaces;
            this.attributes = attributes;
        }

        void add(Object child) {
            if (children == NONE) {
                children = new ArrayList<>(4);
            }
            children.add(child);
        }

        String text() {
            StringBuilder out = new StringBuilder();
            for (Object child : children) {
                if (child instanceof Text t) {
                    out.append(t.value);
                }
            }
            return out.toString();
        }
    }

    static final List<Object> NONE = List.of();

    static final class Text {
        String value;

        Text(String value) {
            this.value = value;
        }
    }

    record Comment(String value) {
    }

    record Instruction(String target, String data) {
    }

    private static boolean isMpd(Element e, String local) {
        return e.local.equals(local) && (e.ns.isEmpty() || e.ns.equals(MPD_NS));
    }

    static Document parse(byte[] manifest, ManifestLimits limits, Budget budget) {
        XMLInputFactory factory = XMLInputFactory.newDefaultFactory();
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        factory.setProperty(XMLInputFactory.IS_COALESCING, true);
        factory.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, true);
        factory.setXMLResolver((publicId, systemId, baseUri, namespace) -> {
            throw new XMLStreamException("external entities are refused");
        });
        Document document = new Document();
        XMLStreamReader reader = null;
        try {
            reader = factory.createXMLStreamReader(new ByteArrayInputStream(manifest));
            document.declared = reader.getVersion() != null;
            document.version = reader.getVersion() == null ? "1.0" : reader.getVersion();
            List<Element> open = new ArrayList<>();
            int elements = 0;
            while (reader.hasNext()) {
                int event = reader.next();
                budget.step();
                Element parent = open.isEmpty() ? null : open.get(open.size() - 1);
                List<Object> siblings = parent == null
                        ? (document.root == null ? document.prolog : document.epilog)
                        : parent.children;
                switch (event) {
                    case XMLStreamConstants.DTD -> throw new ManifestException("an MPD with a DOCTYPE is refused");
                    case XMLStreamConstants.START_ELEMENT -> {
                        if (++elements > limits.maxElements()) {
                            throw new ManifestException("MPD with more than " + limits.maxElements() + " elements");
                        }
                        if (open.size() >= limits.maxDepth()) {
                            throw new ManifestException("MPD nested deeper than " + limits.maxDepth() + " levels");
                        }
                        Element element = startElement(reader);
                        if (parent == null) {
                            document.root = element;
                        } else {
                            parent.add(element);
                        }
                        open.add(element);
                    }
                    case XMLStreamConstants.END_ELEMENT -> open.remove(open.size() - 1);
                    case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA, XMLStreamConstants.SPACE -> {
                        if (!open.isEmpty()) {
                            Object last = siblings.isEmpty() ? null : siblings.get(siblings.size() - 1);
                            if (last instanceof Text t) {
                                t.value += reader.getText();
                            } else {
                                parent.add(new Text(reader.getText()));
                            }
                        }
                    }
                    case XMLStreamConstants.COMMENT -> add(document, parent, new Comment(reader.getText()));
                    case XMLStreamConstants.PROCESSING_INSTRUCTION ->
                            add(document, parent, new Instruction(reader.getPITarget(), reader.getPIData()));
                    case XMLStreamConstants.ENTITY_REFERENCE ->
                            throw new ManifestException("an MPD with entity references is refused");
                    default -> {
                    }
                }
            }
            return document;
        } catch (XMLStreamException | RuntimeException e) {
            if (e instanceof ManifestException m) {
                throw m;
            }
            throw new ManifestException("not a well-formed MPD: " + e.getMessage(), e);
        } finally {
            if (reader != null) {
                try {
                    reader.close();
                } catch (XMLStreamException ignored) {
                    // nothing held open: the input is an array
                }
            }
        }
    }

    /** Adds a node to its parent, or to the prolog or epilog outside the root. */
    private static void add(Document document, Element parent, Object node) {
        if (parent != null) {
            parent.add(node);
        } else {
            (document.root == null ? document.prolog : document.epilog).add(node);
        }
    }

    private static Element startElement(XMLStreamReader reader) {
        int nsCount = reader.getNamespaceCount();
        String[] namespaces = nsCount == 0 ? NO_STRINGS : new String[2 * nsCount];
        for (int i = 0; i < nsCount; i++) {
            namespaces[2 * i] = nullToEmpty(reader.getNamespacePrefix(i));
            namespaces[2 * i + 1] = nullToEmpty(reader.getNamespaceURI(i));
        }
        int count = reader.getAttributeCount();
        String[] attributes = count == 0 ? NO_STRINGS : new String[4 * count];
        int kept = 0;
        for (int i = 0; i < count; i++) {
            String ns = nullToEmpty(reader.getAttributeNamespace(i));
            if (ns.equals(XMLConstants.XMLNS_ATTRIBUTE_NS_URI)) {
                continue; // the JDK's reader lists an XML 1.1 document's namespace declarations again here
            }
            attributes[4 * kept] = nullToEmpty(reader.getAttributePrefix(i));
            attributes[4 * kept + 1] = ns;
            attributes[4 * kept + 2] = reader.getAttributeLocalName(i);
            attributes[4 * kept + 3] = reader.getAttributeValue(i);
            kept++;
        }
        if (kept < count) {
            attributes = Arrays.copyOf(attributes, 4 * kept);
        }
        return new Element(nullToEmpty(reader.getPrefix()), reader.getLocalName(), nullToEmpty(reader.getNamespaceURI()),
                namespaces, attributes);
    }

    static final String[] NO_STRINGS = {};

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }

    // --- deciding what gets the credential ------------------------------------------------------

    private static final class Marker {
        final String self;
        final ChildQuery query;
        final Budget budget;
        boolean changed;
        /** How many characters the credentials add: sizes the output buffer. */
        long added;

        /** {@code ?name=value}, appended to most references; URL-unreserved, so ASCII and never escaped. */
        final byte[] suffix;

        Marker(String self, ChildQuery query, Budget budget) {
            this.self = self;
            this.query = query;
            this.budget = budget;
            this.suffix = query.appendedToPlainReference();
        }

        /** One MPD level (MPD, Period, AdaptationSet, Representation) being handled. */
        private final class Level {
            final Element element;
            /** The origins the base URL of this level can have. */
            final Set<String> own;
            /** The origins the Representations below resolve against (empty when none). */
            final Set<String> representations = new LinkedHashSet<>();
            final List<Element> segmentInfo = new ArrayList<>();
            int next;

            Level(Element element, Set<String> inherited) {
                this.element = element;
                Set<String> bases = inherited;
                for (Object child : element.children) {
                    if (child instanceof Element e && isMpd(e, "BaseURL")) {
                        if (bases == inherited) {
                            bases = new LinkedHashSet<>();
                        }
                        String reference = trimXmlSpace(e.text());
                        for (String base : inherited) {
                            bases.add(ChildUris.resolveOrigin(reference, base));
                        }
                        baseUrl(e, reference, inherited);
                    }
                }
                this.own = bases;
            }
        }

        /**
         * Walks the MPD levels depth first with an explicit stack. A level's segment information is
         * handled when the level is left, once the origins of the Representations below are known.
         */
        void mark(Element root) {
            Deque<Level> stack = new ArrayDeque<>();
            stack.push(new Level(root, Set.of(self)));
            while (!stack.isEmpty()) {
                budget.step();
                Level level = stack.peek();
                if (level.next < level.element.children.size()) {
                    Object child = level.element.children.get(level.next++);
                    if (!(child instanceof Element e) || !(e.ns.isEmpty() || e.ns.equals(MPD_NS))) {
                        continue;
                    }
                    if (LEVELS.contains(e.local)) {
                        stack.push(new Level(e, level.own));
                    } else if (SEGMENT_INFO.contains(e.local)) {
                        level.segmentInfo.add(e);
                    } else if (e.local.equals("Location")) {
                        textUri(e, Set.of(self));
                    }
                    continue;
                }
                stack.pop();
                Set<String> representations = isMpd(level.element, "Representation") ? level.own : level.representations;
                Set<String> bases = representations.isEmpty() ? level.own : representations;
                for (Element info : level.segmentInfo) {
                    segmentInfo(info, bases);
                }
                if (!stack.isEmpty()) {
                    stack.peek().representations.addAll(representations);
                }
            }
        }

        private void baseUrl(Element baseUrl, String reference, Set<String> inherited) {
            int end = reference.indexOf('?');
            end = end < 0 ? reference.indexOf('#') : end;
            String path = end < 0 ? reference : reference.substring(0, end);
            if (!path.endsWith("/")) {
                textUri(baseUrl, inherited);
            }
        }

        /** Rewrites the text of {@code element} when it stays at our origin against every base. */
        private void textUri(Element element, Set<String> bases) {
            String text = element.text();
            int first = firstNonSpace(text);
            int last = endNonSpace(text, first);
            String reference = text.substring(first, last);
            if (!ours(reference, bases)) {
                return;
            }
            String rewritten = text.substring(0, first) + ChildUris.withQuery(reference, query) + text.substring(last);
            List<Object> children = new ArrayList<>(element.children);
            children.removeIf(c -> c instanceof Text);
            children.add(0, new Text(rewritten));
            element.children = children;
            changed = true;
            added += rewritten.length() - text.length();
        }

        /** Rewrites the URL attributes in a segment information subtree (iteratively). */
        private void segmentInfo(Element root, Set<String> bases) {
            Deque<Element> todo = new ArrayDeque<>();
            todo.push(root);
            while (!todo.isEmpty()) {
                budget.step();
                Element element = todo.pop();
                switch (element.local) {
                    case "SegmentTemplate" -> attributes(element, bases, "media", "initialization", "index",
                            "bitstreamSwitching");
                    case "SegmentURL" -> attributes(element, bases, "media", "index");
                    case "Initialization", "RepresentationIndex", "BitstreamSwitching" ->
                            attributes(element, bases, "sourceURL");
                    default -> {
                    }
                }
                for (Object child : element.children) {
                    if (child instanceof Element e && (e.ns.isEmpty() || e.ns.equals(MPD_NS))) {
                        todo.push(e);
                    }
                }
            }
        }

        private void attributes(Element element, Set<String> bases, String... names) {
            String[] a = element.attributes;
            for (int i = 0; i < a.length; i += 4) {
                if (!a[i + 1].isEmpty()) {
                    continue; // a namespaced attribute is not one of ours
                }
                for (String name : names) {
                    if (a[i + 2].equals(name) && ours(a[i + 3], bases)) {
                        String value = a[i + 3];
                        int k = i / 4;
                        if (k < 64 && value.indexOf('?') < 0 && value.indexOf('#') < 0) {
                            // withQuery would return value + "?name=value": the writer appends it
                            element.appended |= 1L << k;
                            added += suffix.length;
                        } else {
                            String rewritten = ChildUris.withQuery(value, query);
                            added += rewritten.length() - value.length();
                            a[i + 3] = rewritten;
                        }
                        changed = true;
                    }
                }
            }
        }

        private boolean ours(String reference, Set<String> bases) {
            if (ChildUris.isEmptyReference(reference)) {
                return false;
            }
            for (String base : bases) {
                if (!ChildUris.staysAt(reference, base, self)) {
                    return false;
                }
            }
            return true;
        }

        private static String trimXmlSpace(String text) {
            int first = firstNonSpace(text);
            return text.substring(first, endNonSpace(text, first));
        }

        /** @return the index of the first character of {@code text} that is not XML white space */
        private static int firstNonSpace(String text) {
            int first = 0;
            while (first < text.length() && isXmlSpace(text.charAt(first))) {
                first++;
            }
            return first;
        }

        /** @return the end of {@code text} without its trailing XML white space, never before {@code first} */
        private static int endNonSpace(String text, int first) {
            int last = text.length();
            while (last > first && isXmlSpace(text.charAt(last - 1))) {
                last--;
            }
            return last;
        }

        private static boolean isXmlSpace(char c) {
            return c == ' ' || c == '\t' || c == '\n' || c == '\r';
        }
    }

    // --- writing --------------------------------------------------------------------------------

    /**
     * Serializes the tree as the JDK's StAX writer did (the rewriter used it before; see
     * {@link XmlBytes} for why it writes its bytes itself): an XML declaration naming UTF-8 when the
     * input had one, each prolog node on its own line, the root, each epilog node on its own line,
     * a final line break. Start tags keep the element's namespace declarations (but a redundant
     * {@code xmlns:xml}, which that writer dropped) and its attributes in order, with double quotes;
     * an element without children is written as {@code <e/>}.
     */
    private static Rewritten write(Document document, long sizeHint, ManifestLimits limits, Budget budget, byte[] suffix) {
        // the input plus what the credentials add, with room for some escaping: one array, rarely grown
        XmlBytes out = new XmlBytes((int) Math.min(limits.maxOutputBytes(), sizeHint + sizeHint / 16 + 256), limits);
        if (document.declared) {
            out.raw("<?xml version=\"").raw(document.version.isEmpty() ? "1.0" : document.version)
                    .raw("\" encoding=\"UTF-8\"?>").raw('\n');
        }
        for (Object node : document.prolog) {
            node(out, node);
            out.raw('\n');
        }
        tree(out, document.root, budget, suffix);
        for (Object node : document.epilog) {
            out.raw('\n');
            node(out, node);
        }
        out.raw('\n');
        return out.result();
    }

    /** A node that is not an element (elements are written by {@link #tree}). */
    private static void node(XmlBytes out, Object node) {
        if (node instanceof Text t) {
            out.text(t.value);
        } else if (node instanceof Comment c) {
            out.raw("<!--").raw(c.value()).raw("-->");
        } else if (node instanceof Instruction p) {
            out.raw("<?").raw(p.target());
            if (p.data() != null && !p.data().isEmpty()) {
                out.raw(' ').raw(p.data());
            }
            out.raw("?>");
        }
    }

    /** Writes an element and its subtree, depth first with an explicit stack. */
    private static void tree(XmlBytes out, Element root, Budget budget, byte[] suffix) {
        record Open(Element element, int[] next) {
        }
        Deque<Open> stack = new ArrayDeque<>();
        if (start(out, root, suffix)) {
            stack.push(new Open(root, new int[1]));
        }
        while (!stack.isEmpty()) {
            budget.step();
            Open open = stack.peek();
            List<Object> children = open.element().children;
            if (open.next()[0] < children.size()) {
                Object child = children.get(open.next()[0]++);
                if (child instanceof Element e) {
                    if (start(out, e, suffix)) {
                        stack.push(new Open(e, new int[1]));
                    }
                } else {
                    node(out, child);
                }
            } else {
                out.raw("</");
                name(out, open.element().prefix, open.element().local).raw('>');
                stack.pop();
            }
        }
    }

    /** Writes an element's start tag; @return true when it has children (and needs an end tag) */
    private static boolean start(XmlBytes out, Element e, byte[] suffix) {
        name(out.raw('<'), e.prefix, e.local);
        for (int i = 0; i < e.namespaces.length; i += 2) {
            String prefix = e.namespaces[i];
            String uri = e.namespaces[i + 1];
            if (prefix.isEmpty()) {
                out.raw(" xmlns=\"");
            } else if (prefix.equals(XMLConstants.XML_NS_PREFIX) && uri.equals(XMLConstants.XML_NS_URI)) {
                continue; // bound by definition: the StAX writer left it out, and so do we
            } else {
                out.raw(" xmlns:").raw(prefix).raw("=\"");
            }
            out.attribute(uri).raw('"');
        }
        String[] a = e.attributes;
        for (int i = 0; i < a.length; i += 4) {
            name(out.raw(' '), a[i], a[i + 2]).raw("=\"").attribute(a[i + 3]);
            if (i / 4 < 64 && (e.appended & 1L << (i / 4)) != 0) {
                out.raw(suffix);
            }
            out.raw('"');
        }
        boolean empty = e.children.isEmpty();
        out.raw(empty ? "/>" : ">");
        return !empty;
    }

    /** Writes {@code prefix:local}, or {@code local} without a prefix. */
    private static XmlBytes name(XmlBytes out, String prefix, String local) {
        if (!prefix.isEmpty()) {
            out.raw(prefix).raw(':');
        }
        return out.raw(local);
    }
}
