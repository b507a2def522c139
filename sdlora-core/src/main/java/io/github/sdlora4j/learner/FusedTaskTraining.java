package io.github.sdlora4j.learner;

import io.github.sdlora4j.fused.FusedSdLoraStep;
import io.github.sdlora4j.fused.FusedThreads;
import io.github.sdlora4j.lora.DirectionNorm;
import io.github.sdlora4j.lora.LoraFactors;
import io.github.sdlora4j.lora.SdLoraAdapterGraph;
import io.github.sdlora4j.lora.SdLoraAlgebra;
import io.github.sdlora4j.lora.SdLoraState;
import io.github.sdlora4j.vit.Projection;
import io.github.sdlora4j.vit.VitWeights;
import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.Listener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fused engine's training of one task ({@link TrainingEngine#FUSED}): {@link FusedSdLoraStep} computes loss and
 * gradients, and the same updaters as the SameDiff engine's ({@link TorchSgd}, {@link TorchAdam}) apply them over all
 * trained tensors at once ({@link FlatUpdate}); the optimizer state keeps the SameDiff engine's per-tensor names, so
 * checkpoints of either engine resume in the other.
 */
final class FusedTaskTraining implements TaskTraining {

    private final FusedSdLoraStep step;
    private final EpochLearningRate schedule;
    private final FlatUpdate update;
    private final int task;
    private final boolean trainMagnitudes;
    private final List<Listener> listeners;
    private final List<ExplicitLossTerm> terms;
    private final Map<String, INDArray> values = new LinkedHashMap<>();
    private final Map<String, INDArray> gradients = new LinkedHashMap<>();
    private int iterations;
    /** Whether the optimizer holds state worth saving: after a step, or after a restore. */
    private boolean hasState;

    /**
     * @param known           head rows before this index stay frozen; the loss covers classes {@code [known, C)}
     * @param trainMagnitudes false for plain LoRA fine-tuning (α fixed)
     * @param trainA          false to train B only: A is left out of the update (its gradient is still computed, unused)
     * @param terms           added to the cross-entropy, with their own gradients
     * @param threads         0 for {@link FusedThreads#defaultThreads()}
     */
    FusedTaskTraining(VitWeights backbone, SdLoraState state, DirectionNorm norm, ClassifierHead head, int known,
                      OptimizerConfig optimizer, boolean trainMagnitudes, boolean trainA, List<Listener> listeners,
                      List<ExplicitLossTerm> terms, int threads) {
        this.task = state.currentTask();
        this.terms = List.copyOf(terms);
        this.listeners = listeners;
        this.trainMagnitudes = trainMagnitudes;
        this.step = new FusedSdLoraStep(backbone, state, norm, head.weightRows(known), head.biasRows(known),
                FusedThreads.orDefault(threads));
        this.schedule = new EpochLearningRate(optimizer);
        Map<String, INDArray[]> trained = new LinkedHashMap<>();
        for (int l = 0; l < state.depth(); l++) {
            for (Projection p : Projection.values()) {
                if (trainA) {
                    trained.put(SdLoraAlgebra.factorName(l, p, task, "A"),
                            new INDArray[]{step.factorA(l, p), step.factorAGradient(l, p)});
                }
                trained.put(SdLoraAlgebra.factorName(l, p, task, "B"),
                        new INDArray[]{step.factorB(l, p), step.factorBGradient(l, p)});
            }
        }
        if (trainMagnitudes) {
            trained.put(SdLoraAlgebra.MAGNITUDE, new INDArray[]{step.magnitudes(), step.magnitudesGradient()});
        }
        trained.put(TaskTrainingGraph.HEAD_WEIGHT, new INDArray[]{step.headWeight(), step.headWeightGradient()});
        trained.put(TaskTrainingGraph.HEAD_BIAS, new INDArray[]{step.headBias(), step.headBiasGradient()});
        this.update = new FlatUpdate(trained, optimizer.newUpdater(schedule));
        trained.forEach((name, pair) -> {
            values.put(name, pair[0]);
            gradients.put(name, pair[1]);
        });
    }

    @Override
    public double step(DataSet batch, int epoch, int iteration) {
        schedule.setEpoch(epoch);
        At at = StepListeners.at(epoch, iterations);
        MultiDataSet mds = listeners.isEmpty() ? null : batch.toMultiDataSet();
        StepListeners.iterationStart(listeners, null, at, mds);
        double loss = step.lossAndGradients(batch.getFeatures(), batch.getLabels());
        for (ExplicitLossTerm t : terms) {
            loss += t.addGradients(Collections.unmodifiableMap(values), Collections.unmodifiableMap(gradients));
        }
        if (!Double.isFinite(loss)) {
            throw new NonFiniteLossException(task, epoch, iteration, loss);
        }
        String nonFinite = update.apply(iterations, epoch);
        iterations++;
        hasState = true;
        if (nonFinite != null) {
            throw new NonFiniteLossException(task, epoch, iteration, "Parameter '" + nonFinite + "' became non-finite");
        }
        StepListeners.iterationDone(listeners, null, at, mds, loss);
        return loss;
    }

    @Override
    public void copyBack(SdLoraState state, ClassifierHead head, int known) {
        for (int l = 0; l < state.depth(); l++) {
            for (Projection p : Projection.values()) {
                state.task(task).set(l, p, new LoraFactors(step.factorA(l, p).dup('c'), step.factorB(l, p).dup('c')));
            }
        }
        if (trainMagnitudes) {
            state.setMagnitudes(step.magnitudes().castTo(DataType.DOUBLE).toDoubleVector());
        }
        head.setRows(known, step.headWeight(), step.headBias());
    }

    @Override
    public void close() {
        step.close();
        update.close();
    }

    @Override
    public Map<String, INDArray> optimizerState() {
        return hasState ? update.snapshot() : new LinkedHashMap<>();
    }

    @Override
    public void restoreOptimizerState(Map<String, INDArray> saved) {
        if (!saved.isEmpty()) {
            update.restore(saved);
            hasState = true;
        }
    }
}
