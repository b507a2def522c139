package io.github.sdlora4j.learner;

/**
 * Receives training progress (progress bars, logs, checkpoints every N steps). All methods are optional.
 */
public interface TrainingMonitor {

    /** Does nothing. */
    TrainingMonitor NONE = new TrainingMonitor() {
    };

    /** An epoch of {@code task} starts (0-based). */
    default void epochStarted(int task, int epoch) {
    }

    /**
     * A step finished.
     *
     * @param iteration 0-based step within the task
     * @param loss      the mean cross-entropy of the batch before the update
     * @param batchSize images in the batch
     */
    default void stepDone(int task, int epoch, int iteration, double loss, int batchSize) {
    }

    /** An epoch finished with the mean loss of its steps. */
    default void epochDone(int task, int epoch, double meanLoss) {
    }

    /** A monitor that tells this one of every event, then {@code next}. */
    default TrainingMonitor then(TrainingMonitor next) {
        TrainingMonitor first = this;
        return new TrainingMonitor() {
            @Override
            public void epochStarted(int task, int epoch) {
                first.epochStarted(task, epoch);
                next.epochStarted(task, epoch);
            }

            @Override
            public void stepDone(int task, int epoch, int iteration, double loss, int batchSize) {
                first.stepDone(task, epoch, iteration, loss, batchSize);
                next.stepDone(task, epoch, iteration, loss, batchSize);
            }

            @Override
            public void epochDone(int task, int epoch, double meanLoss) {
                first.epochDone(task, epoch, meanLoss);
                next.epochDone(task, epoch, meanLoss);
            }
        };
    }
}
