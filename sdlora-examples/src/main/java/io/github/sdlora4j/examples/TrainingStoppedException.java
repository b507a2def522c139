package io.github.sdlora4j.examples;

/**
 * Training failed inside a task (a non-finite loss, parameters that became NaN/Inf, unreadable data); names the
 * task, epoch and step (0-based, as the core's {@code NonFiniteLossException} does) so the run can be inspected or
 * resumed from the last task checkpoint, which is left untouched.
 */
public final class TrainingStoppedException extends RuntimeException {

    TrainingStoppedException(long seed, int task, int epoch, int step, RuntimeException cause) {
        super("training stopped at seed " + seed + ", task " + task + ", epoch " + epoch + ", step " + step
                + " (0-based): " + cause.getMessage() + ". Nothing already written was changed; lower the learning"
                + " rate or check the data, then run again (or --resume from the last finished task).", cause);
    }
}
