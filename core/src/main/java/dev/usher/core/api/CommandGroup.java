package dev.usher.core.api;

import java.util.Map;
import java.util.Set;

/**
 * A group of JSON API commands and their handler ({@link TicketCommands}, {@link LiveCommands}, …).
 * {@link SevuApi} checks a command (account, timestamp, signature, field names, replay) before its
 * group sees it, so a group only reads its fields and carries it out. A new group is given to
 * {@link SevuApi}'s constructor and its {@link Commands} listed in {@code SevuApi.SERVED}.
 */
public interface CommandGroup {

    /**
     * The commands of a group.
     *
     * @param fields   each command with the fields it takes, besides the signed ones every command has
     * @param mutating the commands that change state: carried out once per signature
     */
    record Commands(Map<String, Set<String>> fields, Set<String> mutating) {
        public Commands {
            fields = Map.copyOf(fields);
            mutating = Set.copyOf(mutating);
            if (!fields.keySet().containsAll(mutating)) {
                throw new IllegalArgumentException("a mutating command that is not a command: " + mutating);
            }
        }
    }

    /** @return the group's commands (a constant of its class, also listed in {@code SevuApi.SERVED}) */
    Commands commands();

    /** Carries out one of the group's commands. */
    SevuApi.Answer handle(SignedCommand command) throws ApiFailure;
}
