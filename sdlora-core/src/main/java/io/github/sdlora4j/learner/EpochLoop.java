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
        return run(data, epochs, task, step, monitor, Position.START);
    }

    /**
     * Where an interrupted task resumes: {@code batchesDone} batches of {@code epoch} were trained, {@code iteration}
     * steps in all. The iterator is reset once per epoch as in an uninterrupted run and the done batches are drawn
     * and dropped, so a deterministic iterator hands out exactly the batches the uninterrupted run would have.
     */
    public record Position(int epoch, int batchesDone, int iteration) {
        /** The start of a task. */
        public static final Position START = new Position(0, 0, 0);

        /** Validates. */
        public Position {
            if (epoch < 0 || batchesDone < 0 || iteration < 0) {
                throw new IllegalArgumentException("Invalid training position: epoch " + epoch + ", batch " + batchesDone
                        + ", step " + iteration);
            }
        }
    }

    /**
     * Runs epochs {@code from.epoch()} to {@code epochs - 1}, continuing from {@code from}.
     *
     * @return the mean loss of the last epoch (of its resumed part, when it is the epoch resumed)
     */
    public static double run(DataSetIterator data, int epochs, int task, Step step, TrainingMonitor monitor,
                             Position from) {
        if (epochs < 1 || from.epoch() >= epochs) {
            throw new IllegalArgumentException("epochs must be >= 1 and above the resumed epoch " + from.epoch()
                    + ", got " + epochs);
        }
        TrainingMonitor m = monitor == null ? TrainingMonitor.NONE : monitor;
        int iteration = from.iteration();
        double mean = Double.NaN;
        for (int skipped = 0; skipped < from.epoch(); skipped++) {
            reset(data, epochs, skipped);
        }
        for (int epoch = from.epoch(); epoch < epochs; epoch++) {
            m.epochStarted(task, epoch);
            reset(data, epochs, epoch);
            if (epoch == from.epoch()) {
                for (int b = 0; b < from.batchesDone(); b++) {
                    if (!data.hasNext()) {
                        throw new IllegalArgumentException("Cannot resume at batch " + from.batchesDone() + " of epoch "
                                + epoch + ": the iterator has only " + b + " batches");
                    }
                    data.next();
                }
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
            if (n == 0 && !(epoch == from.epoch() && from.batchesDone() > 0)) {
                throw new IllegalArgumentException("The training iterator of task " + task + " is empty");
            }
            mean = n == 0 ? mean : sum / n;
            m.epochDone(task, epoch, mean);
        }
        return mean;
    }

    private static void reset(DataSetIterator data, int epochs, int epoch) {
        if (data.resetSupported()) {
            data.reset();
        } else if (epoch > 0) {
            throw new IllegalArgumentException("The training iterator cannot be reset, so it cannot serve "
                    + epochs + " epochs");
        }
    }
}
