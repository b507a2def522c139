package io.github.sdlora4j.benchmark;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The suite's goals on the benchmark machine, checked against a report: each passes, fails, or is not measured.
 * They are reported, never asserted; a failing goal does not change the exit status.
 */
final class Targets {

    /** How a value is held to its goal. */
    enum Kind {
        AT_LEAST(">="), AT_MOST("<=");

        private final String symbol;

        Kind(String symbol) {
            this.symbol = symbol;
        }
    }

    /**
     * One goal.
     *
     * @param name  the headline key or figure it checks
     * @param kind  at least or at most
     * @param goal  the bound
     * @param value reads the value from a report; empty when not measured
     */
    record Target(String name, Kind kind, double goal, Function<BenchmarkReport, Optional<Double>> value) {

        /** "&gt;= 1.2" and the like. */
        String describeGoal() {
            return kind.symbol + " " + String.format(Locale.ROOT, "%s", goal);
        }

        /** True or false, or empty when the value is not measured. */
        Optional<Boolean> passes(BenchmarkReport report) {
            return value.apply(report).map(v -> kind == Kind.AT_LEAST ? v >= goal : v <= goal);
        }
    }

    /** The figure or headline {@code key} of the report, headline first. */
    static Function<BenchmarkReport, Optional<Double>> valueOf(String key) {
        return r -> {
            Double h = r.headline().get(key);
            return h != null ? Optional.of(h) : r.figure(key).map(Figure::value);
        };
    }

    /** The largest distance of the long run's per-task peaks (tasks 5 to 20) from task 5's, as a fraction. */
    static Optional<Double> rssDeviation(BenchmarkReport r) {
        Optional<Double> min = r.figure("long_run_min_over_task5").map(Figure::value);
        Optional<Double> max = r.figure("long_run_max_over_task5").map(Figure::value);
        return min.isPresent() && max.isPresent() && r.headline().get("rss_task20_mb") != null
                ? Optional.of(new LongRunResult.Range(min.get(), max.get()).deviation()) : Optional.empty();
    }

    /** The goals of issue 13 on the benchmark machine. */
    static final List<Target> ALL = List.of(
            new Target("w1_ratio_vs_pytorch_all_cores", Kind.AT_LEAST, 1.2, valueOf("w1_ratio_vs_pytorch_all_cores")),
            new Target("w1_core_scaling", Kind.AT_LEAST, 1.7, valueOf("w1_core_scaling")),
            new Target("vitb16_ratio_vs_pytorch", Kind.AT_LEAST, 1.1, valueOf("vitb16_ratio_vs_pytorch")),
            new Target("inference_ratio_vs_pytorch", Kind.AT_LEAST, 1.2, valueOf("inference_ratio_vs_pytorch")),
            new Target("w1_fraction_of_sgemm_peak", Kind.AT_LEAST, 0.6, valueOf("w1_fraction_of_sgemm_peak")),
            new Target("task20_over_task1", Kind.AT_MOST, 1.05, valueOf("task20_over_task1")),
            new Target("rss_task5_to_task20_deviation", Kind.AT_MOST, 0.10, Targets::rssDeviation));

    private Targets() {
    }

    /** Every goal as JSON: name, value (null when not measured), goal, pass (null when not measured). */
    static List<Map<String, Object>> evaluate(BenchmarkReport report) {
        return ALL.stream().map(t -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", t.name());
            m.put("value", t.value().apply(report).orElse(null));
            m.put("goal", t.describeGoal());
            m.put("pass", t.passes(report).orElse(null));
            return m;
        }).toList();
    }
}
