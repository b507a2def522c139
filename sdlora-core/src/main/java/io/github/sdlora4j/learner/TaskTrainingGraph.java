package io.github.sdlora4j.learner;

import io.github.sdlora4j.lora.DirectionNorm;
import io.github.sdlora4j.lora.LoraFactors;
import io.github.sdlora4j.lora.SdLoraAdapterGraph;
import io.github.sdlora4j.lora.SdLoraAlgebra;
import io.github.sdlora4j.lora.SdLoraState;
import io.github.sdlora4j.vit.Projection;
import io.github.sdlora4j.vit.VitGraph;
import io.github.sdlora4j.vit.VitWeights;
import org.nd4j.autodiff.listeners.Listener;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The SameDiff engine's training of one task ({@link TrainingEngine#SAMEDIFF}): frozen ViT with SD-LoRA terms, the new head rows, and the cross-entropy over the
 * current task's classes. Old head rows are left out: the sliced loss gives them zero gradient, so the reference
 * never changes them, and leaving them out spares their work. Built fresh for each task, so optimizer state
 * starts from zero as in the references.
 */
final class TaskTrainingGraph implements TaskTraining {

    static final String LABEL = "label";
    static final String LOSS = "loss";
    static final String HEAD_WEIGHT = LossTerm.HEAD_WEIGHT;
    static final String HEAD_BIAS = LossTerm.HEAD_BIAS;

    private final SameDiff sd = SameDiff.create();
    private final SdLoraAdapterGraph adapters;
    private final EpochLearningRate schedule;
    private final FitLoss loss;
    private final int task;
    private final boolean trainMagnitudes;

    TaskTrainingGraph(VitWeights backbone, SdLoraState state, DirectionNorm norm, ClassifierHead head, int known,
                      OptimizerConfig optimizer, DataType type) {
        this(backbone, state, norm, head, known, optimizer, type, true, true, List.of(), List.of());
    }

    /**
     * @param known           head rows before this index stay frozen; the loss covers classes {@code [known, C)}
     * @param trainMagnitudes false for plain LoRA fine-tuning (α fixed)
     * @param trainA          false to train B only (InfLoRA's designed A stays fixed)
     * @param terms           added to the cross-entropy before the gradients are taken
     */
    TaskTrainingGraph(VitWeights backbone, SdLoraState state, DirectionNorm norm, ClassifierHead head, int known,
                      OptimizerConfig optimizer, DataType type, boolean trainMagnitudes, boolean trainA,
                      List<Listener> listeners, List<LossTerm> terms) {
        this.task = state.currentTask();
        this.trainMagnitudes = trainMagnitudes;
        this.adapters = new SdLoraAdapterGraph(SdLoraAlgebra.of(state, norm,
                new SdLoraAlgebra.Training(true, trainMagnitudes, trainA)), type);
        SDVariable feature = VitGraph.build(sd, backbone, adapters, type);
        SDVariable w = sd.var(HEAD_WEIGHT, head.weightRows(known).castTo(type));
        SDVariable b = sd.var(HEAD_BIAS, head.biasRows(known).castTo(type));
        SDVariable logits = sd.mmul(feature, w, false, true, false).add(b);
        SDVariable label = sd.placeHolder(LABEL, type, -1, head.numClasses() - known);
        if (terms.isEmpty()) {
            sd.loss.softmaxCrossEntropy(LOSS, label, logits, null);
        } else {
            SDVariable classes = sd.loss.softmaxCrossEntropy("loss.classes", label, logits, null);
            classes.add(LOSS, sum(terms));
        }
        sd.setLossVariables(LOSS);
        this.schedule = new EpochLearningRate(optimizer);
        this.loss = FitLoss.configure(sd, LOSS, VitGraph.INPUT, LABEL, optimizer.newUpdater(schedule), listeners);
    }

    /** The loss terms as one scalar of the graph, each defined on the variables trained so far. */
    private SDVariable sum(List<LossTerm> terms) {
        Map<String, SDVariable> trained = new LinkedHashMap<>();
        for (SDVariable v : sd.variables()) {
            if (v.getVariableType() == VariableType.VARIABLE) {
                trained.put(v.name(), v);
            }
        }
        SDVariable total = null;
        for (LossTerm t : terms) {
            SDVariable term = t.define(sd, Collections.unmodifiableMap(trained));
            if (term == null) {
                throw new IllegalStateException("Loss term '" + t.name() + "' defined no variable");
            }
            total = total == null ? term : total.add(term);
        }
        return total;
    }

    @Override
    public double step(DataSet batch, int epoch, int iteration) {
        schedule.setEpoch(epoch);
        return loss.fit(batch, task, epoch, iteration);
    }

    @Override
    public void copyBack(SdLoraState state, ClassifierHead head, int known) {
        for (int l = 0; l < state.depth(); l++) {
            for (Projection p : Projection.values()) {
                INDArray a = sd.getArrForVarName(SdLoraAlgebra.factorName(l, p, task, "A")).dup('c');
                INDArray b = sd.getArrForVarName(SdLoraAlgebra.factorName(l, p, task, "B")).dup('c');
                state.task(task).set(l, p, new LoraFactors(a, b));
            }
        }
        if (trainMagnitudes) {
            state.setMagnitudes(sd.getArrForVarName(SdLoraAlgebra.MAGNITUDE).castTo(DataType.DOUBLE).toDoubleVector());
        }
        head.setRows(known, sd.getArrForVarName(HEAD_WEIGHT), sd.getArrForVarName(HEAD_BIAS));
    }

    SameDiff sameDiff() {
        return sd;
    }

    @Override
    public Map<String, INDArray> optimizerState() {
        return loss.optimizerState();
    }

    @Override
    public void restoreOptimizerState(Map<String, INDArray> saved) {
        loss.restoreOptimizerState(saved);
    }
}
