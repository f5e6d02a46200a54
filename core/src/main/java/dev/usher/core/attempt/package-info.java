/**
 * One entry of a ticket's attempt log ({@code sevu.errorlog}): what was asked, by whom, and the
 * decision's reason.
 *
 * <p>May use: the decision's reasons.
 */
package dev.usher.core.attempt;
