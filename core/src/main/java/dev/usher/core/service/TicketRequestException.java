package dev.usher.core.service;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A request the service refuses, with every problem found (not only the first), so a caller can
 * fix them all at once. Nothing was changed.
 */
public final class TicketRequestException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final List<FieldProblem> problems;

    public TicketRequestException(List<FieldProblem> problems) {
        super(problems.stream().map(FieldProblem::message).collect(Collectors.joining("; ")));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("no problems");
        }
        this.problems = List.copyOf(problems);
    }

    public TicketRequestException(FieldProblem problem) {
        this(List.of(problem));
    }

    public List<FieldProblem> problems() {
        return problems;
    }

    /** @return the first problem, the one an API with a single error code reports */
    public FieldProblem first() {
        return problems.get(0);
    }
}
