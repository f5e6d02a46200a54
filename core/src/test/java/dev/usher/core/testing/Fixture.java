package dev.usher.core.testing;

import dev.usher.core.account.Account;
import dev.usher.core.config.UsherSettings;
import dev.usher.core.decision.PlaybackRequest;
import dev.usher.core.net.IpAddress;
import dev.usher.core.repository.InMemoryTicketRepository;
import dev.usher.core.service.UsherService;
import dev.usher.core.ticket.TicketKeys;
import dev.usher.testing.DemoAccount;
import dev.usher.testing.MutableClock;

/** A service over an in-memory repository with a hand-moved clock, and the examples' accounts as Usher accounts. */
public final class Fixture {

    /** {@link DemoAccount#STEF}. */
    public static final Account STEF = account(DemoAccount.STEF);
    /** {@link DemoAccount#DEMO}. */
    public static final Account DEMO = account(DemoAccount.DEMO);

    public final MutableClock clock;
    public final UsherSettings settings;
    public final InMemoryTicketRepository repository;
    public final UsherService service;

    public Fixture(UsherSettings settings) {
        this.clock = MutableClock.at("2021-08-20T12:00:00Z");
        this.settings = settings;
        this.repository = new InMemoryTicketRepository(settings);
        this.service = new UsherService(repository, settings, clock, new TicketKeys());
    }

    public Fixture() {
        this(UsherSettings.defaults().withServerName("test-node"));
    }

    /** The Usher account of one of the examples' accounts. */
    public static Account account(DemoAccount demo) {
        return new Account(demo.cdnId(), demo.apiKey(), demo.secret(), demo.username());
    }

    public static PlaybackRequest request(String key, String pass, String client, String app, String video) {
        return PlaybackRequest.of(key, pass, IpAddress.parse(client), app, video);
    }
}
