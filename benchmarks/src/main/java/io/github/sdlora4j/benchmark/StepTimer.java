package io.github.sdlora4j.benchmark;

import java.util.Arrays;

/** Wall-clock timing with warm-up; the median resists the noise of a shared machine better than the mean. */
final class StepTimer {

    private StepTimer() {
    }

    /** Runs {@code body} {@code warmup} times untimed, then {@code runs} times; returns each run's milliseconds. */
    static double[] time(int warmup, int runs, Runnable body) {
        if (runs < 1 || warmup < 0) {
            throw new IllegalArgumentException("Need runs >= 1 and warmup >= 0, got " + runs + " and " + warmup);
        }
        for (int i = 0; i < warmup; i++) {
            body.run();
        }
        double[] ms = new double[runs];
        for (int i = 0; i < runs; i++) {
            ms[i] = timeOnce(body);
        }
        return ms;
    }

    /** Milliseconds of one run of {@code body}. */
    static double timeOnce(Runnable body) {
        long start = System.nanoTime();
        body.run();
        return (System.nanoTime() - start) / 1e6;
    }

    /** The median of {@code values} (mean of the middle two for an even count). */
    static double median(double[] values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("No values");
        }
        double[] s = values.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }
}
