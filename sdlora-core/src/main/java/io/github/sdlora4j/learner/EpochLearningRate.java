package io.github.sdlora4j.learner;

import org.nd4j.linalg.schedule.ISchedule;

/**
 * A learning-rate schedule driven by the learner's own epoch counter. SameDiff counts one "epoch" per
 * {@code fit(DataSet)} call, so its counter cannot drive per-epoch milestones when the learner fits step by step.
 */
final class EpochLearningRate implements ISchedule {

    private final OptimizerConfig config;
    private int epoch;

    EpochLearningRate(OptimizerConfig config) {
        this.config = config;
    }

    void setEpoch(int epoch) {
        this.epoch = epoch;
    }

    @Override
    public double valueAt(int iteration, int ignoredSameDiffEpoch) {
        return config.learningRateAt(epoch);
    }

    /** Shares the counter: SameDiff may clone the updater's schedule, and every clone must follow the learner. */
    @Override
    public ISchedule clone() {
        return this;
    }
}
