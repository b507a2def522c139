package io.github.sdlora4j.examples;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.github.sdlora4j.learner.ClassIncrementalLearner;
import io.github.sdlora4j.learner.SdLoraLearner;
import io.github.sdlora4j.lora.SdLoraState;
import io.github.sdlora4j.vit.Projection;

import java.util.Arrays;

/**
 * SD-LoRA's learned magnitudes at the end of each task, as {@code results.json} reports them per seed: row t = after
 * task t, column i = task i (i &le; t), like the accuracy matrix.
 *
 * <p>They are read after {@code afterTask}, so in {@code reference} mode (where every magnitude is re-created at
 * 0.8 when a task starts) row t is what task t's training learned for every direction, and under SD-LoRA-KD it
 * includes that task's assimilation. Column t of row t scales task t's still unnormalized direction; the others
 * scale normalized ones.
 *
 * @param alpha       α_i, one scalar per task shared by every adapted projection
 * @param assimilated SD-LoRA-KD only (null otherwise): β_i, the magnitude KD assimilated into task i's direction,
 *                    as the mean over every block's q and v projection (β is kept per block and projection)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Magnitudes(double[][] alpha, double[][] assimilated) {

    /** Validates the shapes: both lower-triangular with the same rows. */
    public Magnitudes {
        if (alpha == null) {
            throw new IllegalArgumentException("alpha must be given");
        }
        for (int t = 0; t < alpha.length; t++) {
            if (alpha[t].length != t + 1 || assimilated != null && assimilated[t].length != t + 1) {
                throw new IllegalArgumentException("row " + t + " of the magnitudes must hold " + (t + 1) + " values");
            }
        }
        if (assimilated != null && assimilated.length != alpha.length) {
            throw new IllegalArgumentException("alpha has " + alpha.length + " rows, assimilated "
                    + assimilated.length);
        }
    }

    /**
     * {@code sofar} with one more row: what {@code learner} holds now, at the end of its latest task.
     *
     * @param sofar the rows of the earlier tasks, or null before the first
     * @return null for a learner without magnitudes (the baselines)
     */
    static Magnitudes append(Magnitudes sofar, ClassIncrementalLearner learner) {
        if (!(learner instanceof SdLoraLearner sd)) {
            return null;
        }
        SdLoraState state = sd.state();
        double[] alphaRow = state.magnitudes();
        double[][] previousAlpha = sofar == null ? new double[0][] : sofar.alpha;
        if (alphaRow.length != previousAlpha.length + 1) {
            throw new IllegalStateException("the learner holds " + alphaRow.length + " magnitudes after "
                    + (previousAlpha.length + 1) + " tasks");
        }
        double[][] beta = null;
        if (sd.config().knowledgeDistillation()) {
            double[] betaRow = new double[alphaRow.length];
            for (int i = 0; i < betaRow.length; i++) {
                double sum = 0;
                for (int l = 0; l < state.depth(); l++) {
                    for (Projection p : Projection.values()) {
                        sum += state.assimilated(l, p, i);
                    }
                }
                betaRow[i] = sum / (state.depth() * Projection.values().length);
            }
            beta = appended(sofar == null || sofar.assimilated == null ? new double[0][] : sofar.assimilated, betaRow);
        }
        return new Magnitudes(appended(previousAlpha, alphaRow), beta);
    }

    /** Number of tasks recorded. */
    int tasks() {
        return alpha.length;
    }

    private static double[][] appended(double[][] rows, double[] row) {
        double[][] out = Arrays.copyOf(rows, rows.length + 1);
        out[rows.length] = row;
        return out;
    }
}
