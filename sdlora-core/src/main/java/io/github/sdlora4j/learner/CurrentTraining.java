package io.github.sdlora4j.learner;

import io.github.sdlora4j.lora.SdLoraState;
import org.nd4j.autodiff.listeners.Listener;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.util.List;
import java.util.Map;

/**
 * A learner's training of its current task: the {@link TaskTraining} started at the task's first step, the
 * listeners it tells of every step, and the optimizer state a restored learner resumes from at that first step.
 * A step whose loss is not finite drops the training (its arrays took the bad update), so the learner's own state,
 * into which every good step is copied back, still holds the last good step.
 */
final class CurrentTraining {

    /** Starts a task's training, telling {@code listeners} of its steps. */
    @FunctionalInterface
    interface Start {
        TaskTraining start(List<Listener> listeners);
    }

    private final StepListeners listeners = new StepListeners();
    private TaskTraining training;
    private Map<String, INDArray> pendingOptimizerState = Map.of();

    void addListeners(Listener... added) {
        listeners.add(added);
    }

    /**
     * One optimizer step on a batch whose labels are one-hot over the task's classes, starting the training first if
     * the task has none yet; the trained tensors are then copied back into {@code state} and {@code head}.
     *
     * @return the batch's loss before the update
     * @throws NonFiniteLossException if the step's loss or an updated tensor is NaN or infinite
     */
    double step(Start start, DataSet batch, int epoch, int step, SdLoraState state, ClassifierHead head, int known) {
        if (training == null) {
            training = start.start(listeners.list());
            training.restoreOptimizerState(pendingOptimizerState);
            pendingOptimizerState = Map.of();
        }
        double loss;
        try {
            loss = training.step(batch, epoch, step);
        } catch (NonFiniteLossException e) {
            release();
            throw e;
        }
        training.copyBack(state, head, known);
        return loss;
    }

    /** Drops the training, releasing its native memory, and any pending optimizer state: a task started or ended. */
    void stop() {
        release();
        pendingOptimizerState = Map.of();
    }

    private void release() {
        if (training != null) {
            training.close();
            training = null;
        }
    }

    /** Optimizer state the next start restores (a restored learner's unfinished task). */
    void resumeFrom(Map<String, INDArray> saved) {
        pendingOptimizerState = Map.copyOf(saved);
    }

    /** The running training's optimizer state, else the pending one; empty between tasks or before a first step. */
    Map<String, INDArray> optimizerState() {
        return training != null ? training.optimizerState() : pendingOptimizerState;
    }
}
