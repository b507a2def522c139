package io.github.sdlora4j.benchmark;

/**
 * A measured speed-up from one thread to {@code threads} threads, and what Amdahl's law makes of it at other core
 * counts. The serial fraction is the Karp–Flatt metric of the measurement,
 * {@code e = (1/S − 1/N) / (1 − 1/N)}, held to [0, 1]; the projected speed-up at P cores is {@code 1 / (e + (1 − e)/P)}.
 * A projection, not a measurement: it ignores memory bandwidth, caches and the topology of a larger machine.
 *
 * @param threads the thread count of the measurement (at least 2)
 * @param speedup the measured 1-thread time over the {@code threads}-thread time
 */
record CoreScaling(int threads, double speedup) {

    /** Validates. */
    CoreScaling {
        if (threads < 2) {
            throw new IllegalArgumentException("A scaling needs at least 2 threads, got " + threads);
        }
        if (!(speedup > 0) || Double.isInfinite(speedup)) {
            throw new IllegalArgumentException("Speed-up must be positive and finite, got " + speedup);
        }
    }

    /** The serial fraction e in [0, 1]. */
    double serialFraction() {
        double e = (1 / speedup - 1.0 / threads) / (1 - 1.0 / threads);
        return Math.max(0, Math.min(1, e));
    }

    /** The projected speed-up over one thread at {@code cores} cores. */
    double projectedSpeedup(int cores) {
        if (cores < 1) {
            throw new IllegalArgumentException("cores must be >= 1, got " + cores);
        }
        double e = serialFraction();
        return 1 / (e + (1 - e) / cores);
    }
}
