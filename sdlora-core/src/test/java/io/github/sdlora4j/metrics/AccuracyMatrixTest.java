package io.github.sdlora4j.metrics;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class AccuracyMatrixTest {

    /** @return the matrix whose row t is {@code rows[t]}, with accuracy on all seen classes {@code seen[t]} */
    private static AccuracyMatrix matrix(double[][] rows, double... seen) {
        AccuracyMatrix m = new AccuracyMatrix();
        for (int t = 0; t < rows.length; t++) {
            m.addRow(rows[t], seen[t]);
        }
        return m;
    }

    /** Hand-computed: R = [[90], [80, 70], [60, 75, 85]], seen = [90, 76, 72]. */
    @Test
    void figuresOfAHandComputedMatrix() {
        AccuracyMatrix m = matrix(new double[][]{{90}, {80, 70}, {60, 75, 85}}, 90, 76, 72);
        assertEquals(72, m.finalAccuracy(), 1e-12);
        assertEquals((90 + 76 + 72) / 3.0, m.averageAnytimeAccuracy(), 1e-12);
        // task 0: max(90, 80) - 60 = 30; task 1: max(70) - 75 = -5  -> mean 12.5
        assertEquals(12.5, m.forgetting(), 1e-12);
        // BWT: (60-90) + (75-70) = -25 -> -12.5
        assertEquals(-12.5, m.backwardTransfer(), 1e-12);
        assertEquals(75, m.get(2, 1));
    }

    @Test
    void forgettingUsesTheMaximumNotTheDiagonal() {
        AccuracyMatrix m = matrix(new double[][]{{50}, {80, 60}, {40, 60, 90}}, 50, 70, 63);
        // task 0 peaks after task 1 (80): 80-40 = 40; task 1: 60-60 = 0 -> 20. BWT: (40-50)+(60-60) -> -5.
        assertEquals(20, m.forgetting(), 1e-12);
        assertEquals(-5, m.backwardTransfer(), 1e-12);
    }

    @Test
    void oneTaskHasNoForgetting() {
        AccuracyMatrix m = matrix(new double[][]{{42}}, 42);
        assertEquals(0, m.forgetting());
        assertEquals(0, m.backwardTransfer());
        assertEquals(42, m.averageAnytimeAccuracy());
    }

    @Test
    void badInputIsRejected() {
        AccuracyMatrix m = new AccuracyMatrix();
        assertThrows(IllegalStateException.class, m::finalAccuracy);
        assertThrows(IllegalArgumentException.class, () -> m.addRow(new double[]{1, 2}, 1));
        assertThrows(IllegalArgumentException.class, () -> m.addRow(new double[]{101}, 1));
        assertThrows(IllegalArgumentException.class, () -> m.addRow(new double[]{Double.NaN}, 1));
        m.addRow(new double[]{10}, 10);
        assertThrows(IllegalArgumentException.class, () -> m.get(0, 1));
    }

    @Test
    void seedStatisticsUseTheSampleStandardDeviation() {
        SeedStatistics s = SeedStatistics.of(1, 2, 3, 4);
        assertEquals(2.5, s.mean(), 1e-12);
        assertEquals(Math.sqrt(5.0 / 3.0), s.std(), 1e-12);
        assertEquals(0, SeedStatistics.of(7).std());
    }
}
