package io.github.sdlora4j.examples;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.github.sdlora4j.metrics.AccuracyMatrix;
import io.github.sdlora4j.metrics.SeedStatistics;

import java.util.Arrays;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * The results of one run seed, as written to {@code results.json} (snake_case keys). Accuracies are percent.
 *
 * @param seed                     the run seed
 * @param method                   the method name
 * @param classOrder               original class id of each incremental label
 * @param classNames               class names in incremental order
 * @param taskClasses              original class ids introduced by each task
 * @param accuracyMatrix           row i = after task i, column j = accuracy on task j's test classes (j &le; i)
 * @param seenAccuracy             accuracy on all seen test classes after each task
 * @param finalAccuracy            {@code seenAccuracy} after the last task
 * @param averageAnytimeAccuracy   mean of {@code seenAccuracy}
 * @param forgetting               mean over earlier tasks of (best earlier accuracy - final accuracy)
 * @param bwt                      backward transfer: mean over earlier tasks of (final - just-learned accuracy)
 * @param taskWallSeconds          wall time of each task (training + evaluation)
 * @param taskIlAccuracyMatrix     as {@code accuracyMatrix}, task-IL: the task id given, argmax over that task's
 *                                 classes only
 * @param taskIlSeenAccuracy       task-IL accuracy on all seen test images after each task
 * @param taskIlFinalAccuracy      {@code taskIlSeenAccuracy} after the last task
 * @param taskIlAverageAnytimeAccuracy mean of {@code taskIlSeenAccuracy}
 * @param epochTrainLoss           per task, per epoch: the mean training loss of the epoch's steps; null for an epoch
 *                                 a resume from a step snapshot split; empty for methods that do not train
 * @param magnitudes               SD-LoRA's learned magnitudes after each task; null (and absent from the file) for
 *                                 methods without magnitudes
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record SeedResult(long seed, String method, int[] classOrder, List<String> classNames,
                         List<List<Integer>> taskClasses, double[][] accuracyMatrix, double[] seenAccuracy,
                         double finalAccuracy, double averageAnytimeAccuracy, double forgetting, double bwt,
                         double[] taskWallSeconds, double[][] taskIlAccuracyMatrix, double[] taskIlSeenAccuracy,
                         double taskIlFinalAccuracy, double taskIlAverageAnytimeAccuracy,
                         List<List<Double>> epochTrainLoss,
                         @JsonInclude(JsonInclude.Include.NON_NULL) Magnitudes magnitudes) {

    /** Collects the figures of a finished seed of a method without magnitudes. */
    static SeedResult of(long seed, String method, int[] classOrder, List<String> classNames,
                         List<List<Integer>> taskClasses, AccuracyMatrix m, double[] wallSeconds, AccuracyMatrix taskIl,
                         List<List<Double>> epochTrainLoss) {
        return of(seed, method, classOrder, classNames, taskClasses, m, wallSeconds, taskIl, epochTrainLoss, null);
    }

    /** Collects the figures of a finished seed; {@code magnitudes} may be null. */
    static SeedResult of(long seed, String method, int[] classOrder, List<String> classNames,
                         List<List<Integer>> taskClasses, AccuracyMatrix m, double[] wallSeconds, AccuracyMatrix taskIl,
                         List<List<Double>> epochTrainLoss, Magnitudes magnitudes) {
        return new SeedResult(seed, method, classOrder, classNames, taskClasses, m.rows(), m.seenAccuracies(),
                m.finalAccuracy(), m.averageAnytimeAccuracy(), m.forgetting(), m.backwardTransfer(), wallSeconds,
                taskIl.rows(), taskIl.seenAccuracies(), taskIl.finalAccuracy(), taskIl.averageAnytimeAccuracy(),
                epochTrainLoss, magnitudes);
    }

    /** Mean and sample std of one figure over seeds: what results.json's mean/std and every summary report. */
    static SeedStatistics statistics(List<SeedResult> results, ToDoubleFunction<SeedResult> figure) {
        return SeedStatistics.of(results.stream().mapToDouble(figure).toArray());
    }

    /** Equality of everything but wall times and training losses (what a resumed run must reproduce). */
    boolean sameFigures(SeedResult o) {
        return seed == o.seed && method.equals(o.method) && Arrays.equals(classOrder, o.classOrder)
                && Arrays.deepEquals(accuracyMatrix, o.accuracyMatrix) && Arrays.equals(seenAccuracy, o.seenAccuracy)
                && Arrays.deepEquals(taskIlAccuracyMatrix, o.taskIlAccuracyMatrix);
    }
}
