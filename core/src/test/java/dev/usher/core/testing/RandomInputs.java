package dev.usher.core.testing;

import org.junit.jupiter.api.TestInfo;
import org.opentest4j.AssertionFailedError;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Reproducible random inputs for property tests on plain JUnit 5.
 *
 * <p>Each test gets a fixed seed derived from its class and method name, printed when the test
 * starts; {@code -Dusher.test.seed=N} replaces it (for every test of the run) to replay or explore.
 * {@link #check} runs a property over listed edge cases first, then over generated inputs, for a
 * fixed total number of tries; any failure is rethrown with the test, the seed, the try number, a
 * replay command line and the failing input prepended to the original message.
 *
 * <p>The generators lean towards boundary values as a property-testing library would: ranges hit
 * their ends, integers hit 0, ±1, MIN and MAX, strings are often empty.
 */
public final class RandomInputs {

    /** The system property that overrides every test's seed. */
    public static final String SEED_PROPERTY = "usher.test.seed";

    private static final int[] INT_EDGES = {0, 1, -1, 2, Integer.MIN_VALUE, Integer.MAX_VALUE, Integer.MIN_VALUE + 1,
            Integer.MAX_VALUE - 1};
    private static final long[] LONG_EDGES = {0L, 1L, -1L, 2L, Long.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE + 1,
            Long.MAX_VALUE - 1};

    private final String testClass;
    private final String testMethod;
    private final long seed;
    private final SplittableRandom random;

    private RandomInputs(String testClass, String testMethod, long seed) {
        this.testClass = testClass;
        this.testMethod = testMethod;
        this.seed = seed;
        this.random = new SplittableRandom(seed);
    }

    /** @return inputs for the current test, seeded from its name unless {@value #SEED_PROPERTY} is set */
    public static RandomInputs forTest(TestInfo info) {
        String cls = info.getTestClass().map(Class::getName).orElse("?");
        String method = info.getTestMethod().map(m -> m.getName()).orElse(info.getDisplayName());
        return forTest(cls, method);
    }

    public static RandomInputs forTest(String testClass, String testMethod) {
        String override = System.getProperty(SEED_PROPERTY);
        long seed;
        String origin;
        if (override != null && !override.isBlank()) {
            seed = Long.decode(override.trim());
            origin = "from -D" + SEED_PROPERTY;
        } else {
            seed = fnv1a64(testClass + "#" + testMethod);
            origin = "fixed per test";
        }
        RandomInputs inputs = new RandomInputs(testClass, testMethod, seed);
        System.out.println("[RandomInputs] " + inputs.simpleName() + " seed=" + seed + " (" + origin + ")");
        return inputs;
    }

    /** A stable 64-bit hash (FNV-1a), so the default seed never depends on the JVM. */
    static long fnv1a64(String s) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < s.length(); i++) {
            h ^= s.charAt(i);
            h *= 0x100000001b3L;
        }
        return h;
    }

    public long seed() {
        return seed;
    }

    // ---- running a property ----

    /**
     * Checks {@code property} on every edge case, then on generated inputs, {@code tries} runs in all
     * (edge cases count as tries, as they do in jqwik).
     *
     * @param describe how to print an input in a failure message
     */
    public <T> void check(int tries, List<T> edgeCases, Function<RandomInputs, T> generator,
                          Function<? super T, String> describe, Consumer<? super T> property) {
        if (edgeCases.size() > tries) {
            throw new IllegalArgumentException("more edge cases (" + edgeCases.size() + ") than tries (" + tries + ")");
        }
        for (int i = 0; i < tries; i++) {
            boolean edge = i < edgeCases.size();
            T input = edge ? edgeCases.get(i) : generator.apply(this);
            try {
                property.accept(input);
            } catch (AssertionError | RuntimeException e) {
                throw failure(i + 1, tries, edge, describe.apply(input), e);
            }
        }
    }

    /** {@link #check} with inputs printed by {@link #describe(Object)}. */
    public <T> void check(int tries, List<T> edgeCases, Function<RandomInputs, T> generator, Consumer<? super T> property) {
        check(tries, edgeCases, generator, RandomInputs::describe, property);
    }

    private AssertionFailedError failure(int attempt, int tries, boolean edge, String input, Throwable e) {
        String message = "property " + simpleName() + " failed"
                + " [seed=" + seed + ", try " + attempt + "/" + tries + (edge ? ", listed edge case" : ", generated") + "]"
                + "\n  input: " + input
                + "\n  replay: mvn -pl core test -Dtest=" + shortClass() + "#" + testMethod
                + " -D" + SEED_PROPERTY + "=" + seed
                + "\n  " + (e instanceof AssertionError ? "" : e.getClass().getName() + ": ") + e.getMessage();
        return new AssertionFailedError(message, e);
    }

    private String shortClass() {
        return testClass.substring(testClass.lastIndexOf('.') + 1);
    }

    private String simpleName() {
        return shortClass() + "." + testMethod;
    }

    // ---- describing inputs ----

    /** Strings quoted and escaped, arrays and lists element by element, anything else by toString. */
    public static String describe(Object value) {
        if (value instanceof String s) {
            return quote(s);
        }
        if (value instanceof Object[] array) {
            return describe(List.of(array));
        }
        if (value instanceof List<?> list) {
            StringBuilder out = new StringBuilder("[");
            for (int i = 0; i < list.size(); i++) {
                out.append(i == 0 ? "" : ", ").append(describe(list.get(i)));
            }
            return out.append(']').toString();
        }
        return String.valueOf(value);
    }

    /** @return {@code s} as a Java string literal, non-printable-ASCII characters as {@code \\uXXXX} */
    public static String quote(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c >= 0x20 && c < 0x7f) {
                out.append(c);
            } else {
                out.append(String.format("\\u%04x", (int) c));
            }
        }
        return out.append('"').toString();
    }

    // ---- generators ----

    /** @return true with probability {@code 1/n} */
    public boolean oneIn(int n) {
        return random.nextInt(n) == 0;
    }

    public boolean nextBoolean() {
        return random.nextBoolean();
    }

    /** Uniform in {@code [min, max]}, without any lean to the ends. */
    public int uniform(int min, int max) {
        return random.nextInt(min, max + 1);
    }

    /** In {@code [min, max]}; each end about one time in twelve, a neighbour of an end sometimes. */
    public int between(int min, int max) {
        int r = random.nextInt(24);
        if (r < 2) {
            return min;
        }
        if (r < 4) {
            return max;
        }
        if (r == 4 && min < max) {
            return min + 1;
        }
        if (r == 5 && min < max) {
            return max - 1;
        }
        return uniform(min, max);
    }

    /** Any int, one time in eight a boundary value. */
    public int anyInt() {
        return oneIn(8) ? INT_EDGES[random.nextInt(INT_EDGES.length)] : random.nextInt();
    }

    /** Any long, one time in eight a boundary value. */
    public long anyLong() {
        return oneIn(8) ? LONG_EDGES[random.nextInt(LONG_EDGES.length)] : random.nextLong();
    }

    public char charFrom(String alphabet) {
        return alphabet.charAt(random.nextInt(alphabet.length()));
    }

    @SafeVarargs
    public final <T> T oneOf(T... choices) {
        return choices[random.nextInt(choices.length)];
    }

    public <T> T oneOf(List<T> choices) {
        return choices.get(random.nextInt(choices.size()));
    }

    /** One of the generators, picked uniformly; a generator listed twice is picked twice as often. */
    @SafeVarargs
    public final <T> T oneOfGenerated(Supplier<? extends T>... generators) {
        return generators[random.nextInt(generators.length)].get();
    }

    /** A string of {@code minLength..maxLength} characters of {@code alphabet}; lengths lean to the ends. */
    public String string(String alphabet, int minLength, int maxLength) {
        int length = between(minLength, maxLength);
        StringBuilder out = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            out.append(charFrom(alphabet));
        }
        return out.toString();
    }

    /**
     * Any string of {@code 0..maxLength} UTF-16 units: mostly printable ASCII, sometimes any char at all
     * (controls, non-ASCII letters and digits, lone surrogates).
     */
    public String anyString(int maxLength) {
        int length = between(0, maxLength);
        StringBuilder out = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            int r = random.nextInt(8);
            out.append(r < 5 ? (char) uniform(0x20, 0x7e) : r < 6 ? (char) uniform(0, 0x1f) : (char) uniform(0x80, 0xffff));
        }
        return out.toString();
    }

    /** A list of {@code minSize..maxSize} elements; sizes lean to the ends. */
    public <T> List<T> list(int minSize, int maxSize, Supplier<? extends T> element) {
        int size = between(minSize, maxSize);
        List<T> out = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            out.add(element.get());
        }
        return out;
    }
}
