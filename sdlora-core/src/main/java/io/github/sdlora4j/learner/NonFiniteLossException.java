package io.github.sdlora4j.learner;

/** Training produced a NaN or infinite loss or parameter; names where, so the run can be inspected or resumed from a checkpoint. */
public final class NonFiniteLossException extends RuntimeException {

    private final int task;
    private final int epoch;
    private final int step;

    public NonFiniteLossException(int task, int epoch, int step, double loss) {
        this(task, epoch, step, "Loss became " + loss);
    }

    /** @param what what turned non-finite, e.g. {@code Parameter 'sdlora.magnitude' became NaN} */
    public NonFiniteLossException(int task, int epoch, int step, String what) {
        super(what + " at task " + task + ", epoch " + epoch + ", step " + step
                + " (lower the learning rate or check the input data); the learner keeps its state from before this step");
        this.task = task;
        this.epoch = epoch;
        this.step = step;
    }

    public int task() {
        return task;
    }

    public int epoch() {
        return epoch;
    }

    public int step() {
        return step;
    }
}
