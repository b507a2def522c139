package io.github.sdlora4j.learner;

import io.github.sdlora4j.lora.SdLoraState;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.util.Map;

/**
 * One task's training: its trainable copies of the current factors, the magnitudes and the new head rows, and their
 * optimizer. Built fresh for each task (optimizer state starts from zero, as in the references) by a
 * {@link TrainingEngine}.
 */
interface TaskTraining {

    /**
     * One optimizer step on a batch whose labels are already one-hot over the task's classes.
     *
     * @return the batch's loss before the update
     * @throws NonFiniteLossException if the loss or an updated tensor is NaN or infinite
     */
    double step(DataSet batch, int epoch, int iteration);

    /** Copies the trained factors, magnitudes and head rows back into the learner's state. */
    void copyBack(SdLoraState state, ClassifierHead head, int known);

    /** Copies of the optimizer's per-tensor state, named {@code sdlora.optimizer.<tensor>.<key>}; empty before the first step. */
    Map<String, INDArray> optimizerState();

    /** Puts saved optimizer state back, so that training continues exactly where it stopped. */
    void restoreOptimizerState(Map<String, INDArray> saved);

    /**
     * Releases its native memory (activations, weight copies, trained copies, optimizer state) at once instead of at
     * a later garbage collection; unusable afterwards. {@link CurrentTraining} calls it when it drops the training.
     */
    void close();
}
