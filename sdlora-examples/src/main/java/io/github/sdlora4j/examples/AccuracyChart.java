package io.github.sdlora4j.examples;

import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code accuracy.png}: left, the accuracy on all seen classes after each task (one line per seed); right, the
 * accuracy matrix (mean over seeds) as a heat map, row = after task i (task 1 on top, as {@code run} prints it),
 * column = task j.
 */
final class AccuracyChart {

    private static final int WIDTH = 640;
    private static final int HEIGHT = 480;

    private AccuracyChart() {
    }

    static void write(Path file, String method, List<SeedResult> results) throws IOException {
        PngCharts.write(file, List.of(lineChart(method, results), heatMap(method, results)));
    }

    private static XYChart lineChart(String method, List<SeedResult> results) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT)
                .title(method + ": accuracy on all seen classes").xAxisTitle("after task").yAxisTitle("accuracy (%)")
                .build();
        chart.getStyler().setYAxisMin(0.0).setYAxisMax(100.0).setXAxisDecimalPattern("0");
        for (SeedResult r : results) {
            double[] x = new double[r.seenAccuracy().length];
            for (int i = 0; i < x.length; i++) {
                x[i] = i + 1;
            }
            chart.addSeries("seed " + r.seed(), x, r.seenAccuracy()).setMarker(SeriesMarkers.CIRCLE);
        }
        return chart;
    }

    static HeatMapChart heatMap(String method, List<SeedResult> results) {
        int tasks = results.get(0).accuracyMatrix().length;
        HeatMapChart chart = new HeatMapChartBuilder().width(WIDTH).height(HEIGHT)
                .title(method + ": accuracy matrix (%), mean of " + results.size() + " seed(s)")
                .xAxisTitle("task evaluated").yAxisTitle("after task").build();
        chart.getStyler().setShowValue(true).setMin(0).setMax(100)
                .setRangeColors(new Color[]{new Color(0xB2182B), new Color(0xF7F7F7), new Color(0x2166AC)});
        List<Integer> columns = new ArrayList<>();
        List<Integer> rows = new ArrayList<>();
        for (int i = 1; i <= tasks; i++) {
            columns.add(i);
            rows.add(0, i);
        }
        // XChart draws the first y category at the bottom: rows go in reversed, so that task 1 is on top, as printed.
        List<Number[]> cells = new ArrayList<>();
        for (int i = 0; i < tasks; i++) {
            for (int j = 0; j <= i; j++) {
                double sum = 0;
                for (SeedResult r : results) {
                    sum += r.accuracyMatrix()[i][j];
                }
                cells.add(new Number[]{j, tasks - 1 - i, Math.round(10 * sum / results.size()) / 10.0});
            }
        }
        chart.addSeries("accuracy", columns, rows, cells);
        return chart;
    }
}
