package io.github.sdlora4j.learner;

import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.Listener;
import org.nd4j.autodiff.listeners.Loss;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The SameDiff {@link Listener}s a learner's users attached, told of every training step by both engines: the
 * SameDiff engine hands them to its training session (which calls {@code iterationDone} with the loss, and the
 * per-op hooks), the fused engine calls {@code iterationStart} and {@code iterationDone} itself, with no graph
 * ({@code sd} is {@code null}). The list is live: listeners added between steps hear the next one.
 */
final class StepListeners {

    /** The name of the step's loss in the {@link Loss} the listeners receive (the SameDiff engine's loss variable). */
    static final String LOSS_NAME = TaskTrainingGraph.LOSS;

    private final List<Listener> listeners = new CopyOnWriteArrayList<>();

    void add(Listener... added) {
        for (Listener l : added) {
            listeners.add(Objects.requireNonNull(l, "listener"));
        }
    }

    /** The live list. */
    List<Listener> list() {
        return listeners;
    }

    /** Calls {@code iterationStart} on every listener active in training. */
    static void iterationStart(List<Listener> listeners, SameDiff sd, At at, MultiDataSet batch) {
        for (Listener l : listeners) {
            if (l.isActive(Operation.TRAINING)) {
                l.iterationStart(sd, at, batch, 0);
            }
        }
    }

    /** Calls {@code iterationDone} on every listener active in training, with the step's loss. */
    static void iterationDone(List<Listener> listeners, SameDiff sd, At at, MultiDataSet batch, double loss) {
        Loss value = new Loss(List.of(LOSS_NAME), new double[] {loss});
        for (Listener l : listeners) {
            if (l.isActive(Operation.TRAINING)) {
                l.iterationDone(sd, at, batch, value);
            }
        }
    }

    /** Where a step stands, as SameDiff's fit tells its listeners. */
    static At at(int epoch, int iteration) {
        return At.builder().epoch(epoch).iteration(iteration).trainingThreadNum(0)
                .javaThreadNum(Thread.currentThread().getId()).operation(Operation.TRAINING).build();
    }
}
