/**
 * The servlet adapter: the guarding filter and the HTTP bindings of the SEVU API. Every decision is
 * made in {@code dev.usher.core}; classes here translate HTTP to core calls and back.
 */
package dev.usher.servlet;
