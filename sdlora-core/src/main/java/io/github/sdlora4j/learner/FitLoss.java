package io.github.sdlora4j.learner;

import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.Listener;
import org.nd4j.autodiff.listeners.Loss;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.autodiff.samediff.internal.TrainingSession;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.IUpdater;

import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One optimizer step of a SameDiff graph that returns the batch loss and stops on NaN/Inf.
 *
 * <p>It drives one {@link TrainingSession} for the graph's whole life, as {@code SameDiff.fit} does within one call:
 * the session's array cache then serves every step's activations from the previous step's. {@code fit(DataSet)}
 * makes a new session per call, so each step allocated every activation afresh (about a tenth of a ViT-Tiny step).
 * The loss variable is registered as a training evaluation ({@link LossEvaluationHook}) so that the session
 * computes it; without one, SameDiff 1.0.0-M2.1 reports a loss of 0. Listeners added to the graph
 * ({@code SameDiff.addListeners}) see every step as under {@code fit}.
 *
 * <p>It also owns the optimizer state, one updater per trained tensor, made as {@code fit} makes them. SameDiff
 * 1.0.0-M2.1 creates its own only inside {@code fit}'s batch loop, just before a step, by a protected method with no
 * public caller; the session takes the updaters as an argument, so owning them lets a saved state be restored before
 * the first step without reaching into SameDiff by reflection.
 */
final class FitLoss {

    private final SameDiff sd;
    private final String input;
    private final String label;
    private final Set<String> trained = new LinkedHashSet<>();
    private final List<Listener> userListeners;
    private TrainingSession session;
    /** Per trained tensor; null until the first step or a restore, so that a fresh graph saves no state. */
    private Map<String, GradientUpdater> updaters;

    private FitLoss(SameDiff sd, String input, String label, List<Listener> userListeners) {
        this.sd = sd;
        this.userListeners = userListeners;
        this.input = input;
        this.label = label;
        for (SDVariable v : sd.variables()) {
            if (v.getVariableType() == VariableType.VARIABLE) {
                trained.add(v.name());
            }
        }
    }

    /** Sets the training configuration of {@code sd}, whose graph must be complete (features → {@code input}, labels → {@code label}). */
    static FitLoss configure(SameDiff sd, String loss, String input, String label, IUpdater updater) {
        return configure(sd, loss, input, label, updater, List.of());
    }

    /** As above; {@code userListeners} (live) hear every step besides the graph's own listeners. */
    static FitLoss configure(SameDiff sd, String loss, String input, String label, IUpdater updater,
                             List<Listener> userListeners) {
        sd.setLossVariables(loss);
        sd.setTrainingConfig(TrainingConfig.builder()
                .updater(updater)
                .dataSetFeatureMapping(input)
                .dataSetLabelMapping(label)
                .trainEvaluation(loss, 0, new LossEvaluationHook())
                .build());
        return new FitLoss(sd, input, label, userListeners);
    }

    /**
     * One step; the returned loss is the batch's before the update. A non-finite loss, or an update that made a
     * trained tensor non-finite (which can happen a step before the loss shows it), stops training.
     */
    double fit(DataSet batch, int task, int epoch, int step) {
        TrainingConfig config = sd.getTrainingConfig();
        if (session == null) {
            if (sd.getFunction("grad") == null) {
                QuietStdout.createGradFunction(sd);
            }
            SameDiff gradient = sd.getFunction("grad");
            gradient.setTrainingConfig(config);
            session = new TrainingSession(gradient);
        }
        // The epoch is the learner's (SameDiff counts one per fit call); the learning-rate schedule does not read it.
        At at = StepListeners.at(epoch, config.getIterationCount());
        List<Listener> listeners = new ArrayList<>(sd.getListeners());
        listeners.addAll(userListeners);
        MultiDataSet mds = batch.toMultiDataSet();
        StepListeners.iterationStart(listeners, sd, at, mds);
        Map<String, INDArray> placeholders = Map.of(input, batch.getFeatures(), label, batch.getLabels());
        Loss loss = session.trainingIteration(config, placeholders, trained, updaters(),
                mds, sd.getLossVariables(), listeners, at);
        config.incrementIterationCount();
        double value = loss.getLosses()[0];
        if (!Double.isFinite(value)) {
            throw new NonFiniteLossException(task, epoch, step, value);
        }
        for (String name : trained) {
            double sum = sd.getArrForVarName(name).sumNumber().doubleValue();
            if (!Double.isFinite(sum)) {
                throw new NonFiniteLossException(task, epoch, step, "Parameter '" + name + "' became non-finite");
            }
        }
        return value;
    }

    /** Copies of the optimizer state, named {@code sdlora.optimizer.<tensor>.<key>}; empty before the first step. */
    Map<String, INDArray> optimizerState() {
        return updaters == null ? new LinkedHashMap<>() : OptimizerStates.snapshot(OptimizerStates.of(typed(updaters)));
    }

    /** Writes saved optimizer state back (creating the updaters first); an empty map changes nothing. */
    void restoreOptimizerState(Map<String, INDArray> saved) {
        if (!saved.isEmpty()) {
            OptimizerStates.restore(OptimizerStates.of(typed(updaters())), saved);
        }
    }

    /** The updaters, created on first use as SameDiff's {@code fit} creates them: zeroed state of each tensor's size. */
    private Map<String, GradientUpdater> updaters() {
        if (updaters == null) {
            IUpdater config = sd.getTrainingConfig().getUpdater();
            updaters = new LinkedHashMap<>();
            for (String name : trained) {
                INDArray value = sd.getArrForVarName(name);
                long size = config.stateSize(value.length());
                INDArray view = size == 0 ? null : Nd4j.zeros(value.dataType(), 1, size);
                updaters.put(name, config.instantiate(view, true));
            }
        }
        return updaters;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Map<String, GradientUpdater<?>> typed(Map<String, GradientUpdater> updaters) {
        return (Map) updaters;
    }
}
