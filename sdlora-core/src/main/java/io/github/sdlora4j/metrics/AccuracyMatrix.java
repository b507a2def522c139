package io.github.sdlora4j.metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Results of a class-incremental run, all in percent.
 *
 * <ul>
 *   <li>{@code R[i][j]}: top-1 accuracy on task j's test classes after training task i (j ≤ i), predicting over all
 *       classes seen so far (no task id).</li>
 *   <li>{@code seen[i]}: accuracy on the test data of all classes seen after task i (sample-weighted).</li>
 *   <li>final accuracy = {@code seen[T-1]}; average anytime accuracy (AAA) = mean of {@code seen[i]}.</li>
 *   <li>forgetting = mean over {@code j < T-1} of {@code max_{j ≤ l < T-1} R[l][j] − R[T-1][j]}
 *       (Chaudhry et al. 2018; the reference code's variant is not used, see the spec).</li>
 *   <li>backward transfer (BWT) = mean over {@code j < T-1} of {@code R[T-1][j] − R[j][j]}.</li>
 * </ul>
 * Forgetting and BWT are 0 for a single task. Columns follow task order, never string order (reference bug 8).
 */
public final class AccuracyMatrix {

    private final List<double[]> rows = new ArrayList<>();
    private final List<Double> seen = new ArrayList<>();

    /** Appends the results after one more task: {@code taskAccuracies[j]} for j = 0..i, and the all-seen accuracy. */
    public void addRow(double[] taskAccuracies, double seenAccuracy) {
        int i = rows.size();
        if (taskAccuracies.length != i + 1) {
            throw new IllegalArgumentException("After task " + i + " expected " + (i + 1) + " task accuracies, got "
                    + taskAccuracies.length);
        }
        for (double a : taskAccuracies) {
            checkPercent(a);
        }
        checkPercent(seenAccuracy);
        rows.add(taskAccuracies.clone());
        seen.add(seenAccuracy);
    }

    private static void checkPercent(double a) {
        if (!(a >= 0 && a <= 100)) {
            throw new IllegalArgumentException("Accuracies are percentages in [0, 100], got " + a);
        }
    }

    /** Tasks recorded. */
    public int numTasks() {
        return rows.size();
    }

    /** {@code R[i][j]}; j ≤ i. */
    public double get(int i, int j) {
        if (j > i) {
            throw new IllegalArgumentException("R[" + i + "][" + j + "] is undefined: task " + j + " comes after task " + i);
        }
        return rows.get(i)[j];
    }

    /** The lower-triangular matrix, row i holding i+1 entries. */
    public double[][] rows() {
        return rows.stream().map(double[]::clone).toArray(double[][]::new);
    }

    /** Accuracy on all seen classes after each task. */
    public double[] seenAccuracies() {
        return seen.stream().mapToDouble(Double::doubleValue).toArray();
    }

    public double finalAccuracy() {
        requireRows();
        return seen.get(seen.size() - 1);
    }

    public double averageAnytimeAccuracy() {
        requireRows();
        return Arrays.stream(seenAccuracies()).average().orElseThrow();
    }

    public double forgetting() {
        int last = rows.size() - 1;
        return meanOverEarlierTasks(j -> {
            double best = Double.NEGATIVE_INFINITY;
            for (int l = j; l < last; l++) {
                best = Math.max(best, rows.get(l)[j]);
            }
            return best - rows.get(last)[j];
        });
    }

    public double backwardTransfer() {
        int last = rows.size() - 1;
        return meanOverEarlierTasks(j -> rows.get(last)[j] - rows.get(j)[j]);
    }

    /** Mean of {@code perTask(j)} over the tasks before the last; 0 with a single task. */
    private double meanOverEarlierTasks(java.util.function.IntToDoubleFunction perTask) {
        requireRows();
        int last = rows.size() - 1;
        double sum = 0;
        for (int j = 0; j < last; j++) {
            sum += perTask.applyAsDouble(j);
        }
        return last == 0 ? 0 : sum / last;
    }

    private void requireRows() {
        if (rows.isEmpty()) {
            throw new IllegalStateException("No task results recorded yet");
        }
    }
}
