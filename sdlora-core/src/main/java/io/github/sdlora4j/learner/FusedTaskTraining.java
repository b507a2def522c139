package io.github.sdlora4j.learner;

import io.github.sdlora4j.fused.FusedSdLoraStep;
import io.github.sdlora4j.lora.DirectionNorm;
import io.github.sdlora4j.lora.LoraFactors;
import io.github.sdlora4j.lora.SdLoraAdapterGraph;
import io.github.sdlora4j.lora.SdLoraState;
import io.github.sdlora4j.vit.Projection;
import io.github.sdlora4j.vit.VitWeights;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.IUpdater;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The fused engine's training of one task ({@link TrainingEngine#FUSED}): {@link FusedSdLoraStep} computes loss and
 * gradients, and the same updaters as the SameDiff engine's ({@link TorchSgd}, {@link TorchAdam}) apply them, one
 * per tensor, under the same tensor names, so checkpoints of either engine resume in the other.
 */
final class FusedTaskTraining implements TaskTraining {

    /** A trained tensor, its gradient and its updater. */
    private record Trained(INDArray value, INDArray gradient, GradientUpdater<?> updater) {
    }

    private final FusedSdLoraStep step;
    private final EpochLearningRate schedule;
    private final Map<String, Trained> trained = new LinkedHashMap<>();
    private final int task;
    private final boolean trainMagnitudes;
    private int iterations;
    /** Whether the updaters hold state worth saving: after a step, or after a restore. */
    private boolean hasState;

    /**
     * @param known           head rows before this index stay frozen; the loss covers classes {@code [known, C)}
     * @param trainMagnitudes false for plain LoRA fine-tuning (α fixed)
     */
    FusedTaskTraining(VitWeights backbone, SdLoraState state, DirectionNorm norm, ClassifierHead head, int known,
                      OptimizerConfig optimizer, boolean trainMagnitudes) {
        this.task = state.currentTask();
        this.trainMagnitudes = trainMagnitudes;
        this.step = new FusedSdLoraStep(backbone, state, norm, head.weightRows(known), head.biasRows(known));
        this.schedule = new EpochLearningRate(optimizer);
        IUpdater updater = optimizer.newUpdater(schedule);
        for (int l = 0; l < state.depth(); l++) {
            for (Projection p : Projection.values()) {
                add(updater, SdLoraAdapterGraph.factorName(l, p, task, "A"), step.factorA(l, p), step.factorAGradient(l, p));
                add(updater, SdLoraAdapterGraph.factorName(l, p, task, "B"), step.factorB(l, p), step.factorBGradient(l, p));
            }
        }
        if (trainMagnitudes) {
            add(updater, SdLoraAdapterGraph.MAGNITUDE, step.magnitudes(), step.magnitudesGradient());
        }
        add(updater, TaskTrainingGraph.HEAD_WEIGHT, step.headWeight(), step.headWeightGradient());
        add(updater, TaskTrainingGraph.HEAD_BIAS, step.headBias(), step.headBiasGradient());
    }

    private void add(IUpdater updater, String name, INDArray value, INDArray gradient) {
        long size = updater.stateSize(value.length());
        INDArray view = size > 0 ? Nd4j.zeros(DataType.FLOAT, 1, size) : null;
        trained.put(name, new Trained(value, gradient, updater.instantiate(view, true)));
    }

    @Override
    public double step(DataSet batch, int epoch, int iteration) {
        schedule.setEpoch(epoch);
        double loss = step.lossAndGradients(batch.getFeatures(), batch.getLabels());
        if (!Double.isFinite(loss)) {
            throw new NonFiniteLossException(task, epoch, iteration, loss);
        }
        for (Trained t : trained.values()) {
            t.updater().applyUpdater(t.gradient(), iterations, epoch);
            t.value().subi(t.gradient());
        }
        iterations++;
        hasState = true;
        for (Map.Entry<String, Trained> e : trained.entrySet()) {
            if (!Double.isFinite(e.getValue().value().sumNumber().doubleValue())) {
                throw new NonFiniteLossException(task, epoch, iteration,
                        "Parameter '" + e.getKey() + "' became non-finite");
            }
        }
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
    public Map<String, INDArray> optimizerState() {
        return hasState ? OptimizerStates.snapshot(updaters()) : new LinkedHashMap<>();
    }

    @Override
    public void restoreOptimizerState(Map<String, INDArray> saved) {
        if (!saved.isEmpty()) {
            OptimizerStates.restore(updaters(), saved);
            hasState = true;
        }
    }

    private Map<String, GradientUpdater<?>> updaters() {
        Map<String, GradientUpdater<?>> out = new LinkedHashMap<>();
        trained.forEach((name, t) -> out.put(name, t.updater()));
        return out;
    }
}
