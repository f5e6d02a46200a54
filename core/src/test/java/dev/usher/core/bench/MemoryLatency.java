package dev.usher.core.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;

/**
 * What one read from memory costs on this machine, the unit a large in-memory store's decisions
 * are made of: the thread CPU time per read of a chain of random reads in an array of
 * {@code megabytes} (default 1,024), each read's index depending on the value the previous one
 * returned, so that the reads cannot overlap, as a lookup's do not (the map's slot, then its
 * node, then its key). Beside it the same number of independent random reads, which the CPU
 * overlaps. With {@code -XX:+UseTransparentHugePages} the array lies in 2 MB pages.
 *
 * <p>Usage: {@code MemoryLatency [megabytes=1024] [rounds=5]}, with the classpath of the README's
 * Benchmarks and a heap above the array ({@code -Xmx2g} for 1 GB).
 */
public final class MemoryLatency {

    public static void main(String[] args) {
        int megabytes = args.length > 0 ? Integer.parseInt(args[0]) : 1024;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int n = megabytes << 17; // longs
        long[] memory = new long[n];
        for (int i = 0; i < n; i++) {
            memory[i] = i * 0x9E3779B97F4A7C15L; // touched, so every page is mapped before the rounds
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        int reads = 5_000_000;
        double[] dependent = new double[rounds];
        double[] independent = new double[rounds];
        long x = 0x9E3779B97F4A7C15L;
        long sum = 0;
        for (int r = 0; r < rounds; r++) {
            long c0 = threads.getCurrentThreadCpuTime();
            for (int i = 0; i < reads; i++) {
                x ^= x << 13;
                x ^= x >>> 7;
                x ^= x << 17;
                sum += memory[(int) (((x >>> 32) * n) >>> 32)];
            }
            long c1 = threads.getCurrentThreadCpuTime();
            long v = 0;
            for (int i = 0; i < reads; i++) {
                x ^= x << 13;
                x ^= x >>> 7;
                x ^= x << 17;
                // The value read goes into the bits the index is made of, so the next read waits for it.
                v = memory[(int) ((((x ^ (v << 32)) >>> 32) * n) >>> 32)];
                sum += v;
            }
            long c2 = threads.getCurrentThreadCpuTime();
            independent[r] = (c1 - c0) / (double) reads;
            dependent[r] = (c2 - c1) / (double) reads;
        }
        Arrays.sort(dependent);
        Arrays.sort(independent);
        System.out.printf("MemoryLatency %d MB: a dependent read %.0f ns (%.0f-%.0f), an independent one %.0f ns (%.0f-%.0f)"
                        + " [checksum %d]%n", megabytes, dependent[rounds / 2], dependent[0], dependent[rounds - 1],
                independent[rounds / 2], independent[0], independent[rounds - 1], sum & 0xff);
    }
}
