package dev.usher.core.testing;

import dev.usher.core.account.Account;
import dev.usher.core.config.UsherSettings;
import dev.usher.core.decision.PlaybackRequest;
import dev.usher.core.net.IpAddress;
import dev.usher.core.repository.InMemoryTicketRepository;
import dev.usher.core.service.UsherService;
import dev.usher.core.ticket.TicketKeys;

/** A service over an in-memory repository with a hand-moved clock, and the seeds' accounts. */
public final class Fixture {

    /** The account of seed 001's PHP example. */
    public static final Account STEF = new Account(28, "ZGQWNWVKOGQZYJAXNTIYMTCXOTAWMWVK",
            "479e4b01ebfb61bc015cf4b3145f139d97cf43c7340965feb24082da45dd60f3", "stef");
    /** The account of seeds 002 and 004. */
    public static final Account DEMO = new Account(158, "APX4GKLM0RKQLSP2FBO1ROPKSSW47DZE",
            "8fc8c48da81e6a2a06a9556379bf798af508dc0792497c678b4c3532ba8b637f", "demo");

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

    public static PlaybackRequest request(String key, String pass, String client, String app, String video) {
        return PlaybackRequest.of(key, pass, IpAddress.parse(client), app, video);
    }
}
