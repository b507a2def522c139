package io.github.sdlora4j.learner;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.IUpdater;

import java.util.Map;
import org.nd4j.linalg.schedule.ISchedule;

/** The learning rate and optional schedule shared by this project's PyTorch-semantics updaters. */
abstract class ScheduledUpdater implements IUpdater {

    protected double learningRate;
    protected ISchedule schedule;

    ScheduledUpdater(double learningRate, ISchedule schedule, String name) {
        if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
            throw new IllegalArgumentException(name + " learning rate must be a positive number, got " + learningRate);
        }
        this.learningRate = learningRate;
        this.schedule = schedule;
    }

    @Override
    public double getLearningRate(int iteration, int epoch) {
        return schedule == null ? learningRate : schedule.valueAt(iteration, epoch);
    }

    @Override
    public boolean hasLearningRate() {
        return true;
    }

    @Override
    public void setLrAndSchedule(double lr, ISchedule lrSchedule) {
        this.learningRate = lr;
        this.schedule = lrSchedule;
    }

    @Override
    public abstract ScheduledUpdater clone();

    /** A fresh per-variable updater of this configuration. */
    abstract GradientUpdater<?> newUpdater();

    @Override
    public GradientUpdater instantiate(Map<String, INDArray> state, boolean initialize) {
        GradientUpdater<?> u = newUpdater();
        u.setState(state, initialize);
        return u;
    }

    /** The state one variable carries between steps, under the configuration {@code C} that made it. */
    abstract static class PerVariable<C extends ScheduledUpdater> implements GradientUpdater<C> {
        final C config;

        PerVariable(C config) {
            this.config = config;
        }

        @Override
        public C getConfig() {
            return config;
        }
    }

    /** A copy of the schedule for {@link #clone()}. */
    protected ISchedule scheduleCopy() {
        return schedule == null ? null : schedule.clone();
    }
}
