package io.github.sdlora4j.learner;

import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/** Runs epochs of optimizer steps over a resettable iterator and reports progress. */
public final class EpochLoop {

    /** One optimizer step; returns the batch loss. */
    @FunctionalInterface
    public interface Step {
        double apply(DataSet batch, int epoch, int step);
    }

    private EpochLoop() {
    }

    /**
     * Runs {@code epochs} passes over {@code data} (reset before each).
     *
     * @param task reported to the monitor
     * @return the mean loss of the last epoch
     */
    public static double run(DataSetIterator data, int epochs, int task, Step step, TrainingMonitor monitor) {
        if (epochs < 1) {
            throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
        }
        TrainingMonitor m = monitor == null ? TrainingMonitor.NONE : monitor;
        int iteration = 0;
        double mean = Double.NaN;
        for (int epoch = 0; epoch < epochs; epoch++) {
            m.epochStarted(task, epoch);
            if (data.resetSupported()) {
                data.reset();
            } else if (epoch > 0) {
                throw new IllegalArgumentException("The training iterator cannot be reset, so it cannot serve "
                        + epochs + " epochs");
            }
            double sum = 0;
            int n = 0;
            while (data.hasNext()) {
                DataSet batch = data.next();
                double loss = step.apply(batch, epoch, iteration);
                m.stepDone(task, epoch, iteration, loss, (int) batch.getFeatures().size(0));
                sum += loss;
                n++;
                iteration++;
            }
            if (n == 0) {
                throw new IllegalArgumentException("The training iterator of task " + task + " is empty");
            }
            mean = sum / n;
            m.epochDone(task, epoch, mean);
        }
        return mean;
    }
}
