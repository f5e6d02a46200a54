/** The sample video site built on Usher. */
package dev.usher.sample;
