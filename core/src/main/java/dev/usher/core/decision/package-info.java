/**
 * The admission rules as a pure function of a ticket, its open playbacks, the request and the
 * time; the request, the decision and its reasons in the order of {@code sevu.errorlog}.
 *
 * <p>May use: tickets, their rules and addresses; never a repository.
 */
package dev.usher.core.decision;
