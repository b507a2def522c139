package io.github.sdlora4j.examples;

import io.github.sdlora4j.metrics.SeedStatistics;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.colors.XChartSeriesColors;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The accuracy curves of a {@link ComparisonTable}, one per row: x = after task t, y = accuracy on all seen classes,
 * the mean over seeds as a line and mean ± std as a translucent band (rows of one seed have no band).
 */
public final class ComparisonChart {

    private static final int WIDTH = 800;
    private static final int HEIGHT = 560;

    private ComparisonChart() {
    }

    /** Writes the chart as a PNG, atomically. */
    public static void write(Path file, String title, ComparisonTable table) throws IOException {
        PngCharts.write(file, List.of(chart(title, table)));
    }

    static XYChart chart(String title, ComparisonTable table) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle("after task")
                .yAxisTitle("accuracy on all seen classes (%)").build();
        chart.getStyler().setYAxisMin(0.0).setYAxisMax(100.0).setXAxisDecimalPattern("0");
        Color[] palette = new XChartSeriesColors().getSeriesColors();
        List<ComparisonTable.Row> rows = table.rows();
        for (int k = 0; k < rows.size(); k++) {
            ComparisonTable.Row r = rows.get(k);
            Color color = palette[k % palette.length];
            List<SeedStatistics> seen = r.seenAccuracy();
            int tasks = seen.size();
            double[] x = new double[tasks];
            double[] mean = new double[tasks];
            for (int t = 0; t < tasks; t++) {
                x[t] = t + 1;
                mean[t] = seen.get(t).mean();
            }
            if (r.seeds() > 1) {
                // The band is a closed polygon: along mean + std, then back along mean - std.
                double[] bx = new double[2 * tasks];
                double[] by = new double[2 * tasks];
                for (int t = 0; t < tasks; t++) {
                    bx[t] = x[t];
                    by[t] = mean[t] + seen.get(t).std();
                    bx[2 * tasks - 1 - t] = x[t];
                    by[2 * tasks - 1 - t] = mean[t] - seen.get(t).std();
                }
                XYSeries band = chart.addSeries(r.label() + " ± std", bx, by);
                band.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.PolygonArea);
                band.setFillColor(new Color(color.getRed(), color.getGreen(), color.getBlue(), 60));
                band.setLineColor(new Color(0, 0, 0, 0));
                band.setMarker(SeriesMarkers.NONE);
                band.setShowInLegend(false);
            }
            XYSeries line = chart.addSeries(r.label() + " (" + r.seeds() + (r.seeds() == 1 ? " seed)" : " seeds)"),
                    x, mean);
            line.setLineColor(color);
            line.setMarkerColor(color);
            line.setMarker(SeriesMarkers.CIRCLE);
        }
        return chart;
    }
}
