package io.github.sdlora4j.benchmark;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Times several variants in rounds, one run of each per round, starting each round at the next variant, so that
 * drift in the machine's load and the after-effects of one variant on the next (caches, clock, a thread pool
 * winding down) hit every variant alike. Ratios of the medians are the suite's comparisons.
 *
 * @param <K> what names a variant
 */
final class Interleaved<K> {

    private final Map<K, Runnable> variants = new LinkedHashMap<>();

    /** Adds a variant; names must be distinct. */
    Interleaved<K> add(K name, Runnable body) {
        if (variants.putIfAbsent(name, body) != null) {
            throw new IllegalArgumentException("Variant '" + name + "' added twice");
        }
        return this;
    }

    /**
     * Runs {@code warmup} untimed rounds, then {@code rounds} timed ones.
     *
     * @return each variant's milliseconds per run, in the order the variants were added
     */
    Map<K, double[]> time(int warmup, int rounds) {
        if (rounds < 1 || warmup < 0) {
            throw new IllegalArgumentException("Need rounds >= 1 and warmup >= 0, got " + rounds + " and " + warmup);
        }
        List<K> names = new ArrayList<>(variants.keySet());
        for (int r = 0; r < warmup; r++) {
            names.forEach(n -> variants.get(n).run());
        }
        Map<K, double[]> ms = new LinkedHashMap<>();
        names.forEach(n -> ms.put(n, new double[rounds]));
        for (int r = 0; r < rounds; r++) {
            for (int i = 0; i < names.size(); i++) {
                K n = names.get((r + i) % names.size());
                ms.get(n)[r] = StepTimer.timeOnce(variants.get(n));
            }
        }
        return ms;
    }

    /** {@link #time} reduced to each variant's median. */
    Map<K, Double> medians(int warmup, int rounds) {
        Map<K, Double> medians = new LinkedHashMap<>();
        time(warmup, rounds).forEach((n, ms) -> medians.put(n, StepTimer.median(ms)));
        return medians;
    }
}
