package dev.usher.core.api;

import java.util.Map;
import java.util.Set;

/**
 * A group of JSON API commands and their handler ({@link TicketCommands}, {@link LiveCommands}, …).
 * {@link SevuApi} checks a command (account, timestamp, signature, field names, replay) before its
 * group sees it, so a group only reads its fields and carries it out. A new group is given to
 * {@link SevuApi}'s constructor and its {@link #fields()} listed in {@code SevuApi.SERVED}.
 */
public interface CommandGroup {

    /** @return each command of the group with the fields it takes, besides the signed ones every command has */
    Map<String, Set<String>> fields();

    /** @return the commands of the group that change state: carried out once per signature */
    Set<String> mutating();

    /** Carries out one of the group's commands. */
    SevuApi.Answer handle(SignedCommand command) throws ApiFailure;
}
