/**
 * Time as SEVU speaks it: the API's date format and relative expiries, and crontab schedules for
 * recordings.
 *
 * <p>May use: the JDK only.
 */
package dev.usher.core.time;
