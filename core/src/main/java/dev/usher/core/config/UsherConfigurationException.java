package dev.usher.core.config;

import java.util.List;

/** A configuration Usher refuses to run with; the message lists every problem, one per line. */
public final class UsherConfigurationException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    public UsherConfigurationException(List<String> problems) {
        super("Usher refuses to start with this configuration:\n  - " + String.join("\n  - ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
