package io.github.sdlora4j.examples;

import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * {@code magnitudes.png}: SD-LoRA's learned magnitude α_i of every task i at the end of each task t &ge; i (one line
 * per task index, mean over seeds); under SD-LoRA-KD a second panel shows the assimilated β_i (mean over every
 * block's q and v).
 */
final class MagnitudeChart {

    private static final int WIDTH = 640;
    private static final int HEIGHT = 480;

    private MagnitudeChart() {
    }

    /** Whether any seed has magnitudes to plot (SD-LoRA methods). */
    static boolean applies(List<SeedResult> results) {
        return results.stream().anyMatch(r -> r.magnitudes() != null);
    }

    static void write(Path file, String method, List<SeedResult> results) throws IOException {
        List<Magnitudes> all = results.stream().map(SeedResult::magnitudes).filter(Objects::nonNull).toList();
        if (all.size() != results.size()) {
            throw new IllegalArgumentException("only " + all.size() + " of " + results.size()
                    + " seeds have magnitudes");
        }
        if (all.stream().anyMatch(m -> m.tasks() != all.get(0).tasks())) {
            throw new IllegalArgumentException("the seeds' magnitudes cover different numbers of tasks");
        }
        List<XYChart> charts = new ArrayList<>();
        charts.add(chart(method + ": learned magnitudes α", "α", all, Magnitudes::alpha));
        if (all.stream().allMatch(m -> m.assimilated() != null)) {
            charts.add(chart(method + ": assimilated β, mean of blocks' q, v", "β", all,
                    Magnitudes::assimilated));
        }
        PngCharts.write(file, charts);
    }

    /** One line per task index i: x = after task t (t &ge; i), y = the value at (t, i), mean over seeds. */
    private static XYChart chart(String title, String symbol, List<Magnitudes> seeds,
                                 Function<Magnitudes, double[][]> values) {
        int tasks = seeds.get(0).tasks();
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT)
                .title(title + (seeds.size() > 1 ? " (" + seeds.size() + " seeds)" : ""))
                .xAxisTitle("after task").yAxisTitle(symbol + (seeds.size() > 1 ? ", mean over seeds" : "")).build();
        chart.getStyler().setXAxisDecimalPattern("0").setXAxisMin(1.0).setXAxisMax((double) tasks);
        for (int i = 0; i < tasks; i++) {
            double[] x = new double[tasks - i];
            double[] y = new double[tasks - i];
            for (int t = i; t < tasks; t++) {
                double sum = 0;
                for (Magnitudes m : seeds) {
                    sum += values.apply(m)[t][i];
                }
                x[t - i] = t + 1;
                y[t - i] = sum / seeds.size();
            }
            chart.addSeries(symbol + " of task " + (i + 1), x, y).setMarker(SeriesMarkers.CIRCLE);
        }
        return chart;
    }
}
