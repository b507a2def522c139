package io.github.sdlora4j.metrics;

import java.util.Arrays;

/** Mean and sample standard deviation (n−1) of one figure over seeds, as the paper reports them. */
public record SeedStatistics(double mean, double std, int n) {

    /** Statistics of {@code values}; the std of a single value is 0. */
    public static SeedStatistics of(double... values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("No values");
        }
        double mean = Arrays.stream(values).average().orElseThrow();
        double ss = Arrays.stream(values).map(v -> (v - mean) * (v - mean)).sum();
        return new SeedStatistics(mean, values.length > 1 ? Math.sqrt(ss / (values.length - 1)) : 0.0, values.length);
    }
}
