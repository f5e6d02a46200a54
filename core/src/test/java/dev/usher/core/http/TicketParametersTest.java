package dev.usher.core.http;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The ticket parameters are read from the raw query, the same for every transport. */
class TicketParametersTest {

    @Test
    void readsTheParametersDecoded() throws Exception {
        TicketParameters p = TicketParameters.parse("key=k.1&pass=alice%7Cx+y&uc=abc&refurl=https%3A%2F%2Fa%2F&other=1");
        assertEquals("k.1", p.key());
        assertEquals("alice|x y", p.pass());
        assertEquals("abc", p.credential());
        assertEquals("https://a/", p.refUrl());
        assertNull(TicketParameters.parse(null).key());
        assertNull(TicketParameters.parse("").pass());
    }

    @Test
    void aParameterTwiceOrAnUnreadableQueryIsRefused() {
        for (String q : new String[] {"key=a&key=b", "key=a&ke%79=b", "pass=a&pass", "uc=a&uc=a", "refurl=a&refurl=b",
                "key=a&pass=%zz", "key=" + "x".repeat(TicketParameters.MAX_QUERY)}) {
            assertThrows(TicketParameters.AmbiguousQueryException.class, () -> TicketParameters.parse(q), q);
        }
    }

    /**
     * What the one-pass reading keeps from reading pair by pair: empty pairs and names Usher does not
     * read are passed over, a name without '=' has an empty value, only the first '=' ends a name, and
     * a malformed encoding anywhere is refused, in a parameter Usher does not read too.
     */
    @Test
    void readsPairByPairAsSplitAtAmpersands() throws Exception {
        TicketParameters p = TicketParameters.parse("&&uc=a.b=c&keys=x&ke=y&pass&&refurl=&");
        assertEquals("a.b=c", p.credential());
        assertNull(p.key());
        assertEquals("", p.pass());
        assertEquals("", p.refUrl());
        assertEquals("k", TicketParameters.parse("%6Bey=k").key());
        assertEquals("u", TicketParameters.parse("x=1&uc=u", "uc").credential());
        assertEquals("c", TicketParameters.parse("uc=u&token=c", "token").credential());
        for (String q : new String[] {"other=%zz&uc=a", "uc=a&%zz=1", "uc=a&x=%", "uc=a%2"}) {
            assertThrows(TicketParameters.AmbiguousQueryException.class, () -> TicketParameters.parse(q), q);
        }
    }

    @Test
    void neverPrintsThePass() throws Exception {
        assertEquals("TicketParameters[key=k]", TicketParameters.parse("key=k&pass=secret").toString());
    }
}
