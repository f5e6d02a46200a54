package dev.usher.core.api;

import dev.usher.core.account.Account;
import dev.usher.core.service.IssueRequest;
import dev.usher.core.testing.Fixture;
import dev.usher.core.ticket.Ticket;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;

import static dev.usher.core.testing.Fixture.STEF;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The v2 resource routes a request once, before any body is read: where it goes, or the answer
 * that refuses it (404, 405 with its Allow, 403), with the bodies the HTTP binding sent before.
 */
class SevuTokenRoutingTest {

    final Fixture f = new Fixture();
    final SevuTokenResource v2 = new SevuTokenResource(f.service);

    SevuTokenResource.Response refused(Account account, String method, String rest) {
        return assertInstanceOf(SevuTokenResource.Response.class, v2.route(account, method, rest), method + " " + rest);
    }

    SevuTokenResource.Route route(String method, String rest) {
        return assertInstanceOf(SevuTokenResource.Route.class, v2.route(STEF, method, rest), method + " " + rest);
    }

    @Test
    void eachMethodAndPathHasItsAction() {
        assertEquals(new SevuTokenResource.Route(SevuTokenResource.Action.CREATE, ""), route("PUT", ""));
        assertEquals(new SevuTokenResource.Route(SevuTokenResource.Action.LIST, ""), route("GET", "/"));
        assertEquals(new SevuTokenResource.Route(SevuTokenResource.Action.READ, "k1"), route("GET", "/k1"));
        assertEquals(new SevuTokenResource.Route(SevuTokenResource.Action.UPDATE, "k1"), route("POST", "/k1"));
        assertEquals(new SevuTokenResource.Route(SevuTokenResource.Action.DELETE, "k1"), route("DELETE", "/k1"));
        assertEquals(new SevuTokenResource.Route(SevuTokenResource.Action.ATTEMPTS, "k1"), route("GET", "/k1/sevu_attempt"));
        assertTrue(route("PUT", "").action().readsBody());
        assertTrue(route("POST", "/k1").action().readsBody());
        assertFalse(route("GET", "/k1").action().readsBody());
        assertFalse(route("DELETE", "/k1").action().readsQuery());
    }

    @Test
    void refusalsAreTheDocumentedJson() {
        SevuTokenResource.Response deep = refused(STEF, "GET", "/a/b");
        assertEquals(404, deep.status());
        assertEquals("{\"error\":\"NOT_FOUND\",\"message\":\"no such resource\"}", deep.json());
        assertNull(deep.allow());

        for (String[] c : new String[][] {{"PATCH", "/k1", "GET, POST, DELETE"}, {"PUT", "/k1", "GET, POST, DELETE"},
                {"POST", "", "GET, PUT"}, {"DELETE", "/", "GET, PUT"}, {"POST", "/k1/sevu_attempt", "GET"}}) {
            SevuTokenResource.Response r = refused(STEF, c[0], c[1]);
            assertEquals(405, r.status(), c[0] + " " + c[1]);
            assertEquals(c[2], r.allow(), c[0] + " " + c[1]);
            assertEquals("{\"error\":\"METHOD_NOT_ALLOWED\",\"message\":\"" + c[0] + "\"}", r.json());
        }

        Account watch = new Account(7, "K".repeat(32), "S".repeat(32), "watch", null, Set.of("sevu.status"));
        SevuTokenResource.Response forbidden = refused(watch, "PUT", "");
        assertEquals(403, forbidden.status());
        assertEquals("{\"error\":\"ACCESS_VIOLATION\",\"message\":\"account 7 may not run sevu.request (usher.account.7.commands)\"}",
                forbidden.json());
        assertInstanceOf(SevuTokenResource.Route.class, v2.route(watch, "GET", "/k1"));
    }

    @Test
    void anAnswerCarriesTheRouteOut() {
        Ticket t = f.service.issue(STEF, IssueRequest.of("stef-a", "v", "passpasspass", "auto", 5, "+1 day"));
        SevuTokenResource.Response read = v2.answer(STEF, route("GET", "/" + t.key()), Map.of(), null);
        assertEquals(200, read.status());
        assertEquals(read.json(), v2.read(STEF, t.key(), null).json());
        SevuTokenResource.Response children = v2.answer(STEF, route("GET", "/" + t.key()), Map.of("option:children", "x"), null);
        assertEquals("{\"error\":\"INVALID_VALUE\",\"field\":\"option:children\",\"message\":\"the only child is sevu_attempt\"}",
                children.json());
        assertEquals(400, v2.answer(STEF, route("PUT", ""), Map.of(), "[]").status());
        assertEquals(204, v2.answer(STEF, route("DELETE", "/" + t.key()), Map.of(), null).status());
        assertEquals(404, v2.answer(STEF, route("GET", "/" + t.key()), Map.of(), null).status());
    }
}
