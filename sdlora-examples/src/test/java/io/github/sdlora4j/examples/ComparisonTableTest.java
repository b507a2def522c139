package io.github.sdlora4j.examples;

import io.github.sdlora4j.metrics.AccuracyMatrix;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The table from hand-made results (no training). */
class ComparisonTableTest {

    private static SeedResult result(long seed, double[][] rows, double[] seen) {
        AccuracyMatrix m = new AccuracyMatrix();
        for (int i = 0; i < rows.length; i++) {
            m.addRow(rows[i], seen[i]);
        }
        return SeedResult.of(seed, "x", new int[0], List.of(), List.of(), m, new double[rows.length], m, List.of());
    }

    @Test
    void rowsHoldTheSeedStatisticsInCsvAndMarkdown() {
        Map<String, List<SeedResult>> runs = new LinkedHashMap<>();
        // AAA 82.5 and 77.5, final 75 and 75, forgetting 20 and 20 (see RunOutputsTest).
        runs.put("a", List.of(result(1, new double[][]{{90}, {70, 80}}, new double[]{90, 75}),
                result(2, new double[][]{{80}, {60, 90}}, new double[]{80, 75})));
        runs.put("b,c", List.of(result(1, new double[][]{{50}}, new double[]{50})));
        ComparisonTable table = ComparisonTable.of("method", runs);

        assertEquals(List.of(
                "method,seeds,final_accuracy_mean,final_accuracy_std,average_anytime_accuracy_mean,"
                        + "average_anytime_accuracy_std,forgetting_mean,forgetting_std,bwt_mean,bwt_std,"
                        + "seen_accuracy_task_1_mean,seen_accuracy_task_1_std,seen_accuracy_task_2_mean,"
                        + "seen_accuracy_task_2_std",
                "a,2,75.0,0.0,80.0," + Math.sqrt(12.5) + ",20.0,0.0,-20.0,0.0,85.0," + Math.sqrt(50) + ",75.0,0.0",
                "\"b,c\",1,50.0,0.0,50.0,0.0,0.0,0.0,0.0,0.0,50.0,0.0,,"),
                table.csv().lines().toList());
        assertEquals(List.of(
                "| method | seeds | final accuracy | AAA | forgetting |",
                "|---|---:|---:|---:|---:|",
                "| a | 2 | 75.00 ± 0.00 | 80.00 ± 3.54 | 20.00 ± 0.00 |",
                "| b,c | 1 | 50.00 | 50.00 | 0.00 |"), table.markdown().lines().toList());
    }

    @Test
    void seedsWithDifferentTaskCountsAreRefused() {
        List<SeedResult> mixed = List.of(result(1, new double[][]{{90}}, new double[]{90}),
                result(2, new double[][]{{80}, {60, 90}}, new double[]{80, 75}));
        assertThrows(IllegalArgumentException.class, () -> ComparisonTable.Row.of("a", mixed));
        assertThrows(IllegalArgumentException.class, () -> ComparisonTable.Row.of("a", List.of()));
    }
}
