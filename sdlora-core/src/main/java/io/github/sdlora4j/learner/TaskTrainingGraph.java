package io.github.sdlora4j.learner;

import io.github.sdlora4j.lora.DirectionNorm;
import io.github.sdlora4j.lora.LoraFactors;
import io.github.sdlora4j.lora.SdLoraAdapterGraph;
import io.github.sdlora4j.lora.SdLoraState;
import io.github.sdlora4j.vit.Projection;
import io.github.sdlora4j.vit.VitGraph;
import io.github.sdlora4j.vit.VitWeights;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.GradientUpdater;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The graph of one task's training: frozen ViT with SD-LoRA terms, the new head rows, and the cross-entropy over the
 * current task's classes. Old head rows are left out: the sliced loss gives them zero gradient, so the reference
 * never changes them, and leaving them out spares their work. Built fresh for each task, so optimizer state
 * starts from zero as in the references.
 */
final class TaskTrainingGraph {

    static final String LABEL = "label";
    static final String LOSS = "loss";
    static final String HEAD_WEIGHT = "head.weight.task";
    static final String HEAD_BIAS = "head.bias.task";

    private final SameDiff sd = SameDiff.create();
    private final SdLoraAdapterGraph adapters;
    private final EpochLearningRate schedule;
    private final FitLoss loss;
    private final int task;
    private final boolean trainMagnitudes;

    TaskTrainingGraph(VitWeights backbone, SdLoraState state, DirectionNorm norm, ClassifierHead head, int known,
                      OptimizerConfig optimizer, DataType type) {
        this(backbone, state, norm, head, known, optimizer, type, true);
    }

    /**
     * @param known           head rows before this index stay frozen; the loss covers classes {@code [known, C)}
     * @param trainMagnitudes false for plain LoRA fine-tuning (α fixed)
     */
    TaskTrainingGraph(VitWeights backbone, SdLoraState state, DirectionNorm norm, ClassifierHead head, int known,
                      OptimizerConfig optimizer, DataType type, boolean trainMagnitudes) {
        this.task = state.currentTask();
        this.trainMagnitudes = trainMagnitudes;
        this.adapters = new SdLoraAdapterGraph(state, norm, true, trainMagnitudes, type);
        SDVariable feature = VitGraph.build(sd, backbone, adapters, type);
        SDVariable w = sd.var(HEAD_WEIGHT, head.weightRows(known).castTo(type));
        SDVariable b = sd.var(HEAD_BIAS, head.biasRows(known).castTo(type));
        SDVariable logits = sd.mmul(feature, w, false, true, false).add(b);
        SDVariable label = sd.placeHolder(LABEL, type, -1, head.numClasses() - known);
        sd.loss.softmaxCrossEntropy(LOSS, label, logits, null);
        sd.setLossVariables(LOSS);
        this.schedule = new EpochLearningRate(optimizer);
        this.loss = FitLoss.configure(sd, LOSS, VitGraph.INPUT, LABEL, optimizer.newUpdater(schedule));
    }

    /** One optimizer step on a batch whose labels are already one-hot over the task's classes; returns its loss. */
    double step(DataSet batch, int epoch, int iteration) {
        schedule.setEpoch(epoch);
        return loss.fit(batch, task, epoch, iteration);
    }

    /** Copies the trained factors, magnitudes and head rows back into the learner's state. */
    void copyBack(SdLoraState state, ClassifierHead head, int known) {
        for (int l = 0; l < state.depth(); l++) {
            for (Projection p : Projection.values()) {
                INDArray a = sd.getArrForVarName(SdLoraAdapterGraph.factorName(l, p, task, "A")).dup('c');
                INDArray b = sd.getArrForVarName(SdLoraAdapterGraph.factorName(l, p, task, "B")).dup('c');
                state.task(task).set(l, p, new LoraFactors(a, b));
            }
        }
        if (trainMagnitudes) {
            state.setMagnitudes(sd.getArrForVarName(SdLoraAdapterGraph.MAGNITUDE).castTo(DataType.DOUBLE).toDoubleVector());
        }
        head.setRows(known, sd.getArrForVarName(HEAD_WEIGHT), sd.getArrForVarName(HEAD_BIAS));
    }

    SameDiff sameDiff() {
        return sd;
    }

    /** Prefix of optimizer-state tensors: {@code sdlora.optimizer.<variable>.<state key>}. */
    static final String OPTIMIZER_PREFIX = "sdlora.optimizer.";

    /** Copies of the optimizer's per-variable state (empty before the first step). */
    Map<String, INDArray> optimizerState() {
        Map<String, INDArray> out = new LinkedHashMap<>();
        Map<String, GradientUpdater> updaters = sd.getUpdaterMap();
        if (updaters == null) {
            return out;
        }
        for (Map.Entry<String, GradientUpdater> e : new TreeMap<>(updaters).entrySet()) {
            Map<String, INDArray> state = stateOf(e.getValue());
            for (Map.Entry<String, INDArray> s : new TreeMap<>(state).entrySet()) {
                out.put(OPTIMIZER_PREFIX + e.getKey() + "." + s.getKey(), s.getValue().dup('c'));
            }
        }
        return out;
    }

    /** Puts saved optimizer state back, so that training continues exactly where it stopped. */
    void restoreOptimizerState(Map<String, INDArray> saved) {
        if (saved.isEmpty()) {
            return;
        }
        if (sd.getUpdaterMap() == null) {
            FitLoss.initializeTraining(sd);
        }
        Set<String> expected = new TreeSet<>();
        for (Map.Entry<String, GradientUpdater> e : sd.getUpdaterMap().entrySet()) {
            for (Map.Entry<String, INDArray> s : stateOf(e.getValue()).entrySet()) {
                String key = OPTIMIZER_PREFIX + e.getKey() + "." + s.getKey();
                expected.add(key);
                INDArray value = saved.get(key);
                if (value == null || value.length() != s.getValue().length()) {
                    throw new IllegalArgumentException("Saved optimizer state lacks '" + key + "' of "
                            + s.getValue().length() + " values (was it saved with another optimizer?)");
                }
                s.getValue().assign(value.reshape(s.getValue().shape()));
            }
        }
        if (!expected.equals(new TreeSet<>(saved.keySet()))) {
            throw new IllegalArgumentException("Saved optimizer state has entries " + new TreeSet<>(saved.keySet())
                    + ", this optimizer expects " + expected);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, INDArray> stateOf(GradientUpdater<?> updater) {
        return (Map<String, INDArray>) updater.getState();
    }
}
