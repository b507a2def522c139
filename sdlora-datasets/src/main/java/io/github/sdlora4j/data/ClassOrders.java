package io.github.sdlora4j.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;

/**
 * Class orders: {@code order[k]} is the ORIGINAL class index that becomes incremental label {@code k}.
 *
 * <p>The reference implementations draw the order with numpy ({@code np.random.seed(seed);
 * np.random.permutation(n)}), which Java cannot reproduce without porting MT19937 and numpy's
 * permutation. The orders for seeds 1993-1997 and 42 and n = 100, 200, 345 therefore ship precomputed
 * in the resource {@code class-orders.json} (a verbatim copy of the spec's file).
 *
 * <p>Any other (n, seed) uses the <b>Java shuffle</b>: start from {@code 0..n-1}, create
 * {@code new java.util.Random(seed)}, and for {@code i = n-1} down to {@code 1} swap element {@code i}
 * with element {@code random.nextInt(i + 1)} (Fisher-Yates). It is stable across JDK versions because
 * {@code java.util.Random}'s algorithm is specified.
 */
public final class ClassOrders {

    /** Classpath location of the reference orders. */
    public static final String RESOURCE = "/io/github/sdlora4j/data/class-orders.json";

    private static volatile Map<String, int[]> reference;

    private ClassOrders() {
    }

    /**
     * @return the reference order when one ships for (n, seed), otherwise the documented Java shuffle
     * @throws IllegalArgumentException if {@code n <= 0}
     */
    public static int[] forSeed(int n, long seed) {
        return reference(n, seed).orElseGet(() -> javaShuffle(n, seed));
    }

    /** @return a copy of the reference (numpy) order for (n, seed), if it ships */
    public static Optional<int[]> reference(int n, long seed) {
        checkCount(n);
        int[] order = referenceOrders().get(key(n, seed));
        return Optional.ofNullable(order == null ? null : order.clone());
    }

    /** @return all shipped reference orders by key {@code n{n}_seed{seed}} (read-only map; arrays are copies) */
    public static Map<String, int[]> referenceOrders() {
        Map<String, int[]> loaded = reference;
        if (loaded == null) {
            loaded = load();
            reference = loaded;
        }
        Map<String, int[]> copy = new TreeMap<>();
        loaded.forEach((k, v) -> copy.put(k, v.clone()));
        return Collections.unmodifiableMap(copy);
    }

    /** @return the Java Fisher-Yates shuffle of {@code 0..n-1} with {@code new Random(seed)} (see class doc) */
    public static int[] javaShuffle(int n, long seed) {
        checkCount(n);
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        shuffle(order, new Random(seed));
        return order;
    }

    /** Shuffles {@code values} in place with {@code random}: the Fisher-Yates pass of {@link #javaShuffle}. */
    public static void shuffle(int[] values, Random random) {
        for (int i = values.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = values[i];
            values[i] = values[j];
            values[j] = t;
        }
    }

    /**
     * Checks that {@code order} is a permutation of {@code 0..n-1}.
     *
     * @return a copy of {@code order}
     * @throws IllegalArgumentException naming the first problem found
     */
    public static int[] validate(int[] order, int n) {
        if (order == null) {
            throw new IllegalArgumentException("class order must not be null");
        }
        if (order.length != n) {
            throw new IllegalArgumentException("class order must list all " + n + " classes, got " + order.length
                    + " entries");
        }
        boolean[] seen = new boolean[n];
        for (int k = 0; k < n; k++) {
            int c = order[k];
            if (c < 0 || c >= n) {
                throw new IllegalArgumentException("class order entry " + k + " is " + c + ", expected 0.." + (n - 1));
            }
            if (seen[c]) {
                throw new IllegalArgumentException("class order lists class " + c + " twice (second time at entry "
                        + k + "); expected a permutation of 0.." + (n - 1));
            }
            seen[c] = true;
        }
        return order.clone();
    }

    /** @return the inverse permutation: {@code inverse[order[k]] = k} (original class to incremental label) */
    public static int[] inverse(int[] order) {
        int[] inv = new int[order.length];
        Arrays.fill(inv, -1);
        for (int k = 0; k < order.length; k++) {
            inv[order[k]] = k;
        }
        return inv;
    }

    private static String key(int n, long seed) {
        return "n" + n + "_seed" + seed;
    }

    private static void checkCount(int n) {
        if (n <= 0) {
            throw new IllegalArgumentException("number of classes must be > 0, got " + n);
        }
    }

    private static Map<String, int[]> load() {
        try (InputStream in = ClassOrders.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("class-order resource " + RESOURCE + " is missing from the classpath");
            }
            JsonNode root = new ObjectMapper().readTree(in);
            Map<String, int[]> orders = new TreeMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().isArray()) {
                    continue; // "_doc" and any other commentary
                }
                int[] order = new int[e.getValue().size()];
                for (int i = 0; i < order.length; i++) {
                    order[i] = e.getValue().get(i).asInt();
                }
                orders.put(e.getKey(), validate(order, order.length));
            }
            return Collections.unmodifiableMap(orders);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read class-order resource " + RESOURCE, e);
        }
    }
}
