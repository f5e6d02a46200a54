package dev.usher.core.bench;

import org.openjdk.jmh.infra.Blackhole;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;

/**
 * The CPU time of one {@link DecisionBenchmark#continuingPlayback}, one
 * {@link DecisionBenchmark#lookupFloor} and one {@link DecisionBenchmark#entryFloor} on the same store, as the thread's own CPU time
 * ({@link ThreadMXBean#getCurrentThreadCpuTime}) per call: a measure that the other work of a shared
 * machine disturbs far less than JMH's throughput, which counts the time the thread waits for a core.
 * GC threads' time is not in it (the JMH figures have it).
 *
 * <p>Usage: {@code DecisionCpuTime [tickets=100000] [rounds=5] [calls per round=2000000]}, with
 * the JMH classpath (see the README's Benchmarks). Prints each round and the median.
 */
public final class DecisionCpuTime {

    public static void main(String[] args) {
        int tickets = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        long calls = args.length > 2 ? Long.parseLong(args[2]) : 2_000_000;
        DecisionBenchmark.Stored store = new DecisionBenchmark.Stored();
        store.tickets = tickets;
        store.setUp();
        DecisionBenchmark bench = new DecisionBenchmark();
        Blackhole bh = new Blackhole("Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        double[] decision = new double[rounds];
        double[] lookup = new double[rounds];
        double[] floor = new double[rounds];
        double[] ratio = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            long c0 = threads.getCurrentThreadCpuTime();
            for (long i = 0; i < calls; i++) {
                bench.continuingPlayback(store, bh);
            }
            long c1 = threads.getCurrentThreadCpuTime();
            for (long i = 0; i < calls; i++) {
                bench.lookupFloor(store, bh);
            }
            long c2 = threads.getCurrentThreadCpuTime();
            for (long i = 0; i < calls; i++) {
                bh.consume(bench.entryFloor(store));
            }
            long c3 = threads.getCurrentThreadCpuTime();
            decision[r] = (c1 - c0) / (double) calls;
            lookup[r] = (c2 - c1) / (double) calls;
            floor[r] = (c3 - c2) / (double) calls;
            ratio[r] = decision[r] / floor[r];
            System.out.printf("round %d: continuingPlayback %.0f ns CPU per call, lookupFloor %.0f ns, entryFloor %.0f ns%n",
                    r, decision[r], lookup[r], floor[r]);
        }
        Arrays.sort(decision);
        Arrays.sort(lookup);
        Arrays.sort(floor);
        Arrays.sort(ratio);
        System.out.printf("DecisionCpuTime %d tickets: continuingPlayback median %.0f ns (%.0f-%.0f), lookupFloor median %.0f ns"
                        + " (%.0f-%.0f), entryFloor median %.0f ns (%.0f-%.0f); decision / entryFloor %.2f (%.2f-%.2f);"
                        + " %.2f M decisions per CPU-second, the floor %.2f M%n", tickets, decision[rounds / 2], decision[0],
                decision[rounds - 1], lookup[rounds / 2], lookup[0], lookup[rounds - 1], floor[rounds / 2], floor[0],
                floor[rounds - 1], ratio[rounds / 2], ratio[0], ratio[rounds - 1], 1e3 / decision[rounds / 2],
                1e3 / floor[rounds / 2]);
    }
}
