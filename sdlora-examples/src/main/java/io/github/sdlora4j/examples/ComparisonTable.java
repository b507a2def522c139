package io.github.sdlora4j.examples;

import io.github.sdlora4j.metrics.SeedStatistics;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Several runs → one table: one row per run (a method, or any labelled setting), holding the statistics over its
 * seeds of the figures the paper's tables report (final accuracy, average anytime accuracy, forgetting; BWT and the
 * accuracy on all seen classes after each task as well), rendered as CSV and as a Markdown table with method rows.
 * The statistics are {@link SeedResult#statistics}, the same as results.json's mean and std. Knows nothing of where
 * the runs came from.
 */
public final class ComparisonTable {

    /**
     * One row: a run's seed statistics. Accuracies are percent.
     *
     * @param label                  what the row is (the method name)
     * @param seeds                  number of seeds
     * @param finalAccuracy          final accuracy on all classes
     * @param averageAnytimeAccuracy mean of the accuracy on all seen classes over tasks (AAA)
     * @param forgetting             mean forgetting of the earlier tasks
     * @param bwt                    backward transfer
     * @param seenAccuracy           accuracy on all seen classes after each task
     */
    public record Row(String label, int seeds, SeedStatistics finalAccuracy, SeedStatistics averageAnytimeAccuracy,
                      SeedStatistics forgetting, SeedStatistics bwt, List<SeedStatistics> seenAccuracy) {

        /** Copies the per-task list. */
        public Row {
            seenAccuracy = List.copyOf(seenAccuracy);
        }

        /** The statistics of one run's seeds (at least one, all with the same number of tasks). */
        public static Row of(String label, List<SeedResult> runs) {
            if (runs.isEmpty()) {
                throw new IllegalArgumentException(label + ": no seed results");
            }
            int tasks = runs.get(0).seenAccuracy().length;
            if (runs.stream().anyMatch(r -> r.seenAccuracy().length != tasks)) {
                throw new IllegalArgumentException(label + ": the seeds have different numbers of tasks");
            }
            List<SeedStatistics> seen = new ArrayList<>();
            for (int t = 0; t < tasks; t++) {
                final int task = t;
                seen.add(SeedResult.statistics(runs, r -> r.seenAccuracy()[task]));
            }
            return new Row(label, runs.size(), stats(runs, SeedResult::finalAccuracy),
                    stats(runs, SeedResult::averageAnytimeAccuracy), stats(runs, SeedResult::forgetting),
                    stats(runs, SeedResult::bwt), seen);
        }

        private static SeedStatistics stats(List<SeedResult> runs, ToDoubleFunction<SeedResult> figure) {
            return SeedResult.statistics(runs, figure);
        }
    }

    private final String labelHeader;
    private final List<Row> rows;

    /**
     * @param labelHeader the heading of the label column ({@code method})
     * @param rows        the rows, in display order
     */
    public ComparisonTable(String labelHeader, List<Row> rows) {
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("a comparison needs at least one row");
        }
        this.labelHeader = labelHeader;
        this.rows = List.copyOf(rows);
    }

    /** One row per entry of {@code runsByLabel}, in its iteration order. */
    public static ComparisonTable of(String labelHeader, Map<String, List<SeedResult>> runsByLabel) {
        List<Row> rows = new ArrayList<>();
        runsByLabel.forEach((label, runs) -> rows.add(Row.of(label, runs)));
        return new ComparisonTable(labelHeader, rows);
    }

    public List<Row> rows() {
        return rows;
    }

    /**
     * CSV, one line per row: label, seeds, then mean and std of final accuracy, AAA, forgetting, BWT and the all-seen
     * accuracy after each task ({@code seen_accuracy_task_t_mean}, ...; empty past a row's last task). Numbers are
     * written in full (Java's shortest exact form), so they equal results.json's.
     */
    public String csv() {
        int tasks = rows.stream().mapToInt(r -> r.seenAccuracy().size()).max().orElseThrow();
        StringBuilder b = new StringBuilder(labelHeader).append(",seeds");
        for (String figure : new String[]{"final_accuracy", "average_anytime_accuracy", "forgetting", "bwt"}) {
            b.append(',').append(figure).append("_mean,").append(figure).append("_std");
        }
        for (int t = 1; t <= tasks; t++) {
            b.append(",seen_accuracy_task_").append(t).append("_mean,seen_accuracy_task_").append(t).append("_std");
        }
        b.append('\n');
        for (Row r : rows) {
            b.append(csvField(r.label())).append(',').append(r.seeds());
            for (SeedStatistics s : List.of(r.finalAccuracy(), r.averageAnytimeAccuracy(), r.forgetting(), r.bwt())) {
                b.append(',').append(s.mean()).append(',').append(s.std());
            }
            for (int t = 0; t < tasks; t++) {
                b.append(',');
                if (t < r.seenAccuracy().size()) {
                    b.append(r.seenAccuracy().get(t).mean()).append(',').append(r.seenAccuracy().get(t).std());
                } else {
                    b.append(',');
                }
            }
            b.append('\n');
        }
        return b.toString();
    }

    /**
     * A Markdown table in the layout of the paper's: one row per method, columns seeds, final accuracy, AAA and
     * forgetting as {@code mean ± std} (percent, two decimals; the mean alone for a single seed).
     */
    public String markdown() {
        StringBuilder b = new StringBuilder("| ").append(labelHeader)
                .append(" | seeds | final accuracy | AAA | forgetting |\n|---|---:|---:|---:|---:|\n");
        for (Row r : rows) {
            b.append("| ").append(r.label().replace("|", "\\|")).append(" | ").append(r.seeds()).append(" | ")
                    .append(cell(r.finalAccuracy())).append(" | ").append(cell(r.averageAnytimeAccuracy()))
                    .append(" | ").append(cell(r.forgetting())).append(" |\n");
        }
        return b.toString();
    }

    /** {@code mean ± std} with two decimals, as every summary prints a figure over seeds. */
    public static String meanStd(SeedStatistics s) {
        return String.format(Locale.ROOT, "%.2f ± %.2f", s.mean(), s.std());
    }

    private static String cell(SeedStatistics s) {
        return s.n() > 1 ? meanStd(s) : String.format(Locale.ROOT, "%.2f", s.mean());
    }

    private static String csvField(String s) {
        return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }
}
